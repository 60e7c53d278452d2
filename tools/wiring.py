"""Wiring pictures, drawn from the board files themselves (plain SVG, no dependencies).

    python tools/wiring.py            # writes docs/wiring/<board>.svg for every board file
    python tools/wiring.py --check    # exits 1 if a picture differs from what the board file gives

Each board file of boards/ (esp32_devkitc, rp2_pico, teb) is read as data, not imported: its
NAME, UART_ID, TX, RX, BAUD, PWRKEY, RESET, PSM_EINT and ACTIVE assignments (and, for the TE-B,
the header pin in the comment after each: "TX = 4  # -> D1"). So a pin changed in a board file
changes its picture, and tests_host/test_wiring.py fails until the picture is drawn again.

The picture: the MCU with its pins, the level translator on TX/RX (the module's UART is 1.8 V),
one NPN stage per control line (4.7k to the base, 47k base to GND: a high GPIO pulls the
module's pin low), the module's pins (BC26 and BC20 numbers), the supply and the common GND.
"""

import ast
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOARDS = ("esp32_devkitc", "rp2_pico", "teb")
OUT_DIR = os.path.join(ROOT, "docs", "wiring")
FIELDS = ("NAME", "UART_ID", "TX", "RX", "BAUD", "PWRKEY", "RESET", "PSM_EINT", "ACTIVE")

# The module's side: (signal, BC26 pin, BC20 pin), from the hardware design manuals (the same
# numbers as the board files' comments).
MODULE_PINS = {"RXD": (17, 33), "TXD": (18, 34), "PWRKEY": (7, 5), "RESET": (15, 53), "PSM_EINT": (19, 37)}
# The Raspberry Pi Pico's GPn -> physical pin (its pinout), so a student finds the hole.
PICO_PIN = {
    0: 1, 1: 2, 2: 4, 3: 5, 4: 6, 5: 7, 6: 9, 7: 10, 8: 11, 9: 12, 10: 14, 11: 15, 12: 16, 13: 17, 14: 19,
    15: 20, 16: 21, 17: 22, 18: 24, 19: 25, 20: 26, 21: 27, 22: 29, 26: 31, 27: 32, 28: 34,
}  # fmt: skip
_HEADER = re.compile(r"^(TX|RX|PWRKEY|RESET|PSM_EINT)\s*=\s*\d+\s*#\s*(?:->|<-)\s*(D\d+)")


def read_board(path):
    """The board file's pins and names as a dict, read without importing it."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    board = {"file": os.path.basename(path)[:-3], "header": {}}
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name in FIELDS and isinstance(node.value, ast.Constant):
                board[name] = node.value.value
    missing = [f for f in FIELDS if f not in board]
    if missing:
        raise ValueError("%s: no %s" % (path, ", ".join(missing)))
    for line in text.splitlines():
        m = _HEADER.match(line)
        if m:
            board["header"][m.group(1)] = m.group(2)
    return board


def gpio(board, n):
    """How the board's own pinout names GPIO n."""
    if "ESP32" in board["NAME"]:
        return "GPIO%d" % n
    where = " (pin %d)" % PICO_PIN[n] if n in PICO_PIN else ""
    return "GP%d%s" % (n, where)


def esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class Svg:
    def __init__(self, width, height):
        self.width = width
        self.height = height
        self.parts = []

    def add(self, s):
        self.parts.append(s)

    def line(self, x1, y1, x2, y2, color="#222", width=2, dash=None, arrow=False):
        extra = ' stroke-dasharray="%s"' % dash if dash else ""
        extra += ' marker-end="url(#arrow)"' if arrow else ""
        self.add(
            '<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="%g"%s/>'
            % (x1, y1, x2, y2, color, width, extra)
        )

    def poly(self, points, color="#222", width=2):
        pts = " ".join("%g,%g" % p for p in points)
        self.add('<polyline points="%s" fill="none" stroke="%s" stroke-width="%g"/>' % (pts, color, width))

    def rect(self, x, y, w, h, fill="#fff", stroke="#222", dash=None, rx=6):
        extra = ' stroke-dasharray="%s"' % dash if dash else ""
        self.add(
            '<rect x="%g" y="%g" width="%g" height="%g" rx="%g" fill="%s" stroke="%s" stroke-width="2"%s/>'
            % (x, y, w, h, rx, fill, stroke, extra)
        )

    def text(self, x, y, s, size=13, anchor="start", weight="normal", color="#111"):
        self.add(
            '<text x="%g" y="%g" font-size="%g" text-anchor="%s" font-weight="%s" fill="%s">%s</text>'
            % (x, y, size, anchor, weight, color, esc(s))
        )

    def dot(self, x, y, color="#222"):
        self.add('<circle cx="%g" cy="%g" r="3.5" fill="%s"/>' % (x, y, color))

    def ground(self, x, y):
        self.line(x, y, x, y + 8)
        for i, half in enumerate((10, 6, 2)):
            self.line(x - half, y + 8 + 4 * i, x + half, y + 8 + 4 * i, width=2)

    def resistor(self, x1, y1, x2, y2, label, color="#222"):
        # A box between two points (horizontal or vertical), the value beside it.
        if y1 == y2:
            self.line(x1, y1, x1 + 12, y1, color)
            self.rect(x1 + 12, y1 - 7, x2 - x1 - 24, 14, rx=1)
            self.line(x2 - 12, y1, x2, y1, color)
            self.text((x1 + x2) / 2, y1 - 11, label, 12, "middle")
        else:
            self.line(x1, y1, x1, y1 + 10, color)
            self.rect(x1 - 7, y1 + 10, 14, y2 - y1 - 20, rx=1)
            self.line(x1, y2 - 10, x1, y2, color)
            self.text(x1 + 11, (y1 + y2) / 2 + 4, label, 12)

    def npn(self, x, y):
        # The transistor with its base at (x - 22, y); returns (collector top, emitter bottom).
        self.add('<circle cx="%g" cy="%g" r="20" fill="#fff" stroke="#222" stroke-width="2"/>' % (x, y))
        self.line(x - 22, y, x - 8, y)
        self.line(x - 8, y - 12, x - 8, y + 12, width=3)
        self.line(x - 8, y - 5, x + 6, y - 16)
        self.line(x - 8, y + 5, x + 6, y + 16, arrow=True)
        self.line(x + 6, y - 16, x + 6, y - 32)
        self.line(x + 6, y + 16, x + 6, y + 30)
        return (x + 6, y - 32), (x + 6, y + 30)

    def render(self):
        head = (
            '<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" '
            'font-family="DejaVu Sans, Arial, sans-serif">\n'
            '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="11" '
            'markerHeight="9" markerUnits="userSpaceOnUse" orient="auto-start-reverse">'
            '<path d="M0,0 L10,5 L0,10 z" fill="#222"/></marker></defs>\n'
            '<rect width="100%%" height="100%%" fill="#ffffff"/>\n'
            % (self.width, self.height, self.width, self.height)
        )
        return head + "\n".join(self.parts) + "\n</svg>\n"


TX_COLOR, RX_COLOR, CTRL_COLOR, POWER_COLOR = "#1f5fbf", "#1a8a3a", "#c06000", "#c01818"


def draw(board):
    """The SVG text of one board's wiring picture."""
    teb = bool(board["header"])
    s = Svg(1000, 840 if teb else 820)
    s.text(500, 32, "Wiring: %s" % board["NAME"], 20, "middle", "bold")
    s.text(
        500,
        54,
        "drawn from boards/%s.py by tools/wiring.py: UART%d at %d baud, ACTIVE = %d"
        % (board["file"], board["UART_ID"], board["BAUD"], board["ACTIVE"]),
        13,
        "middle",
        color="#444",
    )
    rows = {"TX": 150, "RX": 200, "PWRKEY": 310, "RESET": 420, "PSM_EINT": 530}
    mcu_x, mcu_r = 30, 250
    mod_x, mod_r = 715, 990

    # The MCU and its pins.
    s.rect(mcu_x, 80, mcu_r - mcu_x, 650, "#eef3fb")
    s.text((mcu_x + mcu_r) / 2, 102, "MCU", 15, "middle", "bold")
    s.text((mcu_x + mcu_r) / 2, 120, board["NAME"].split(" + ")[-1][:30], 11, "middle", color="#444")
    labels = {
        "TX": "%s  UART%d TX" % (gpio(board, board["TX"]), board["UART_ID"]),
        "RX": "%s  UART%d RX" % (gpio(board, board["RX"]), board["UART_ID"]),
        "PWRKEY": gpio(board, board["PWRKEY"]),
        "RESET": gpio(board, board["RESET"]),
        "PSM_EINT": gpio(board, board["PSM_EINT"]),
    }
    for name, y in rows.items():
        s.text(mcu_r - 8, y + 4, labels[name], 13, "end", "bold")
        s.dot(mcu_r, y)
    s.text(mcu_r - 8, 644, "3V3", 13, "end", "bold")
    s.text(mcu_r - 8, 684, "GND", 13, "end", "bold")
    s.dot(mcu_r, 640)
    s.dot(mcu_r, 680)
    s.line(mcu_r, 640, mcu_r + 30, 640, POWER_COLOR, 2)
    vccb = "to IOREF on the header (3.3 V logic)" if teb else "to the translator's VCCB (3.3 V side)"
    s.text(mcu_r + 34, 644, vccb, 11, color=POWER_COLOR)
    s.line(mcu_r, 680, mcu_r + 30, 680)
    s.ground(mcu_r + 30, 680)

    # The module and its pins.
    s.rect(mod_x, 80, mod_r - mod_x, 650, "#fbf1e6")
    s.text((mod_x + mod_r) / 2, 102, "Quectel BC26 / BC20", 15, "middle", "bold")
    s.text((mod_x + mod_r) / 2, 120, "UART at 1.8 V", 11, "middle", color="#444")
    mod_rows = {"RXD": rows["TX"], "TXD": rows["RX"]}
    ctrl_y = {}
    for name in ("PWRKEY", "RESET", "PSM_EINT"):
        ctrl_y[name] = rows[name] - 32
        mod_rows[name] = ctrl_y[name]
    for name, y in mod_rows.items():
        bc26, bc20 = MODULE_PINS[name]
        s.text(mod_x + 8, y + 4, "%s  pin %d (BC20: %d)" % (name, bc26, bc20), 13, weight="bold")
        s.dot(mod_x, y)
    s.text(mod_x + 8, 624, "VDD_EXT  1.8 V out", 13, weight="bold")
    s.text(mod_x + 8, 664, "GND", 13, weight="bold")
    s.text(mod_x + 8, 704, "VBAT", 13, weight="bold")
    for y in (620, 660, 700):
        s.dot(mod_x, y)
    s.line(mod_x, 620, mod_x - 30, 620, POWER_COLOR, 2)
    s.text(mod_x - 34, 624, "to the translator's VCCA (1.8 V side)", 11, "end", color=POWER_COLOR)
    s.line(mod_x, 660, mod_x - 30, 660)
    s.ground(mod_x - 30, 660)

    # TX and RX through the level translator.
    lt_x, lt_r = 380, 560
    s.rect(lt_x, 92, lt_r - lt_x, 134, "#ffffff")
    s.text((lt_x + lt_r) / 2, 110, "level translator", 13, "middle", "bold")
    s.text((lt_x + lt_r) / 2, 125, "TXS0108E or a BSS138 pair", 11, "middle", color="#444")
    s.text(lt_x + 6, 220, "B: 3.3 V", 11, color="#444")
    s.text(lt_r - 6, 220, "A: 1.8 V", 11, "end", color="#444")
    s.line(mcu_r, rows["TX"], lt_x, rows["TX"], TX_COLOR, 2.5, arrow=True)
    s.line(lt_r, rows["TX"], mod_x, rows["TX"], TX_COLOR, 2.5, arrow=True)
    s.line(lt_x, rows["RX"], mcu_r, rows["RX"], RX_COLOR, 2.5, arrow=True)
    s.line(mod_x, rows["RX"], lt_r, rows["RX"], RX_COLOR, 2.5, arrow=True)
    s.text(290, rows["TX"] - 8, "TX", 12, "middle", color=TX_COLOR)
    s.text(290, rows["RX"] - 8, "RX", 12, "middle", color=RX_COLOR)
    s.text((lt_r + mod_x) / 2, rows["TX"] - 8, "to RXD", 12, "middle", color=TX_COLOR)
    s.text((lt_r + mod_x) / 2, rows["RX"] - 8, "from TXD", 12, "middle", color=RX_COLOR)
    # Its supplies (wired by name, not drawn): B side from the MCU's 3V3, A side from VDD_EXT.
    s.text((lt_x + lt_r) / 2, 240, "VCCB: MCU 3V3, VCCA: VDD_EXT", 11, "middle", color=POWER_COLOR)
    s.text((lt_x + lt_r) / 2, 254, "GND: the common GND", 11, "middle")

    # One NPN stage per control line.
    for name in ("PWRKEY", "RESET", "PSM_EINT"):
        y = rows[name]
        s.line(mcu_r, y, 330, y, CTRL_COLOR, 2.5)
        s.text(290, y - 8, name, 12, "middle", color=CTRL_COLOR)
        s.resistor(330, y, 430, y, "4.7k", CTRL_COLOR)
        s.line(430, y, 476, y, CTRL_COLOR, 2.5)
        s.dot(455, y)
        s.resistor(455, y, 455, y + 58, "47k")
        s.ground(455, y + 58)
        collector, emitter = s.npn(498, y)
        s.ground(emitter[0], emitter[1])
        s.poly([collector, (collector[0], ctrl_y[name]), (mod_x, ctrl_y[name])], CTRL_COLOR, 2.5)
        s.text(620, ctrl_y[name] - 8, "pulls %s low" % name, 12, "middle", color=CTRL_COLOR)

    if teb:
        # The header pins, where the wires enter the TE-B.
        purple = "#7a4b9a"
        s.rect(325, 68, mod_r + 5 - 325, 674, "none", purple, "8,5")
        for name in ("TX", "RX", "PWRKEY", "RESET", "PSM_EINT"):
            s.add('<rect x="320" y="%g" width="10" height="10" fill="%s"/>' % (rows[name] - 5, purple))
            s.text(334, rows[name] + 18, board["header"][name], 12, weight="bold", color=purple)
        note = (
            "Dashed: the BC26-TE-B, with its own translators and inverting stages (drawn as the usual",
            "ones; not checked against its schematic). Squares: its Arduino header. J302 = MAIN UART TO MCU.",
        )
        s.text(30, 806, note[0], 12, color=purple, weight="bold")
        s.text(30, 822, note[1], 12, color=purple, weight="bold")

    # Supply and ground.
    # (On the TE-B the supply sits right of the notes below the picture.)
    px = 770 if teb else 470
    s.rect(px, 750, 210, 50, "#fdeaea", POWER_COLOR)
    if teb:
        s.text(px + 105, 770, "TE-B from its own USB port", 12, "middle", "bold")
        s.text(px + 105, 788, "(its VBAT regulator on board)", 11, "middle")
        s.poly([(px, 765), (700, 765), (700, 700), (mod_x, 700)], POWER_COLOR, 2.5)
    else:
        s.text(px + 105, 770, "3.3-4.2 V regulator, 0.5 A", 12, "middle", "bold")
        s.text(px + 105, 788, "100 uF at VBAT; not the MCU's 3V3", 11, "middle")
        s.poly([(px + 210, 765), (700, 765), (700, 700), (mod_x, 700)], POWER_COLOR, 2.5)
    s.text(694, 695, "VBAT", 11, "end", color=POWER_COLOR)
    s.ground(px + 30, 800)
    s.text(30, 760, "Every ground symbol is one wire: connect the GND", 12, color="#111")
    s.text(30, 776, "of the MCU, the module, the supply and the stages.", 12, color="#111")
    return s.render()


def generate(out_dir=OUT_DIR, boards_dir=None):
    """Write one SVG per board file; returns the paths."""
    boards_dir = boards_dir or os.path.join(ROOT, "boards")
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for name in BOARDS:
        svg = draw(read_board(os.path.join(boards_dir, name + ".py")))
        path = os.path.join(out_dir, name + ".svg")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(svg)
        paths.append(path)
    return paths


def main(argv):
    if "--check" in argv:
        stale = []
        for name in BOARDS:
            want = draw(read_board(os.path.join(ROOT, "boards", name + ".py")))
            with open(os.path.join(OUT_DIR, name + ".svg"), encoding="utf-8") as f:
                if f.read() != want:
                    stale.append(name)
        if stale:
            print("stale wiring pictures: %s (run python tools/wiring.py)" % ", ".join(stale))
            return 1
        return 0
    for path in generate():
        print(os.path.relpath(path, ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
