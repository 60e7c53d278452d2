# The wiring pictures in docs/wiring/ are drawn by tools/wiring.py from the board files: they
# must be what the board files give today, and a pin changed in a board file must show.
import os
import shutil

import pytest

from mp import ROOT
from tools import wiring


def test_regenerating_gives_the_checked_in_pictures(tmp_path):
    paths = wiring.generate(str(tmp_path))
    assert len(paths) == len(wiring.BOARDS) == 3
    for path in paths:
        name = os.path.basename(path)
        with open(os.path.join(ROOT, "docs", "wiring", name), encoding="utf-8") as f:
            checked_in = f.read()
        with open(path, encoding="utf-8") as f:
            assert f.read() == checked_in, "docs/wiring/%s is stale: run python tools/wiring.py" % name
    assert wiring.main(["--check"]) == 0


def test_a_pin_changed_in_the_board_file_changes_the_picture(tmp_path):
    boards = tmp_path / "boards"
    shutil.copytree(os.path.join(ROOT, "boards"), boards)
    before = wiring.draw(wiring.read_board(str(boards / "esp32_devkitc.py")))
    assert "GPIO25" in before and "GPIO17  UART2 TX" in before
    text = (boards / "esp32_devkitc.py").read_text()
    (boards / "esp32_devkitc.py").write_text(
        text.replace("PWRKEY = 25", "PWRKEY = 32").replace("TX = 17", "TX = 4")
    )
    after = wiring.draw(wiring.read_board(str(boards / "esp32_devkitc.py")))
    assert "GPIO32" in after and "GPIO4  UART2 TX" in after and "GPIO25" not in after
    # The TE-B's header pins come from the comments after its pins.
    teb = wiring.read_board(str(boards / "teb.py"))
    assert teb["header"] == {"TX": "D1", "RX": "D0", "PWRKEY": "D12", "RESET": "D13", "PSM_EINT": "D11"}
    assert ">D12<" in wiring.draw(teb) and "GP6 (pin 9)" in wiring.draw(teb)


def test_a_board_file_without_its_pins_is_refused(tmp_path):
    path = tmp_path / "half.py"
    path.write_text('NAME = "half"\nUART_ID = 1\nTX = 1\n')
    with pytest.raises(ValueError, match="RX"):
        wiring.read_board(str(path))


def test_readme_shows_every_picture():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    for name in wiring.BOARDS:
        assert "(docs/wiring/%s.svg)" % name in readme, name
