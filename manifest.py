# ruff: noqa: F821  (metadata() and package() come from the firmware build's manifest tool)
# Freezing bc26 into a firmware image: its bytecode and constants then live in flash, not RAM.
#
#   make -C ports/esp32 BOARD=ESP32_GENERIC FROZEN_MANIFEST=/path/to/bc26/manifest.py
#
# or, in a board's own manifest.py (keep the port's modules):
#
#   include("$(PORT_DIR)/boards/manifest.py")
#   include("/path/to/bc26/manifest.py")
#   module("board.py", base_path="/path/to/bc26/boards")
#   module("esp32_devkitc.py", base_path="/path/to/bc26/boards")
#
# The version must match lib/bc26/__init__.py (tests_host/test_packaging.py checks it).
metadata(
    description="Quectel BC26/BC20 NB-IoT module over a UART: sockets, services, power and PSM.",
    version="0.1.0",
)
package("bc26", base_path="lib")
