#!/usr/bin/env bash
# Installs Debian's mosquitto broker and its command-line clients when they are missing;
# the MQTT end-to-end tests (tests_host/test_e2e_umqtt.py) run a real broker on 127.0.0.1.
set -euo pipefail
if { command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ]; } &&
  command -v mosquitto_sub >/dev/null 2>&1 && command -v mosquitto_pub >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  SUDO="sudo"
fi
echo "== installing mosquitto and mosquitto-clients (apt-get)"
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q mosquitto mosquitto-clients
