"""A Chinese font for matplotlib that works on a fresh machine with no CJK system font.

The font file ships inside the PyPI package ``mplfonts`` (Noto Sans CJK SC, SIL Open Font
License). We locate it with :mod:`importlib.resources` and register it with matplotlib's font
manager for this process only. Nothing is copied anywhere: ``mplfonts init`` would write into
matplotlib's own folder in site-packages, which we never do.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

FONT_PACKAGE = "mplfonts"
FONT_FILE = "NotoSansCJKsc-Regular.otf"


def chinese_font_path() -> Path:
    """Path of the Noto Sans CJK SC font file bundled with ``mplfonts``.

    Raises
    ------
    FileNotFoundError
        with the install command, when the package or the file is missing.
    """
    try:
        path = Path(str(resources.files(FONT_PACKAGE) / "fonts" / FONT_FILE))
    except ModuleNotFoundError as error:
        raise FileNotFoundError(f"the Chinese font comes from the package {FONT_PACKAGE!r} — "
                                f"run `pip install mplfonts`") from error
    if not path.is_file():
        raise FileNotFoundError(f"{path}: font file missing from {FONT_PACKAGE} — reinstall it with "
                                f"`pip install --force-reinstall mplfonts`")
    return path


def use_chinese_font() -> str:
    """Register the bundled CJK font and make it matplotlib's default sans-serif font.

    Changes the global ``rcParams`` (as ``seaborn.set_theme`` does), so figures drawn later in a
    notebook also show Chinese. Safe to call many times. Returns the font's family name.
    """
    path = chinese_font_path()
    if not any(Path(entry.fname) == path for entry in font_manager.fontManager.ttflist):
        font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    sans = [name] + [f for f in mpl.rcParams["font.sans-serif"] if f != name]
    mpl.rcParams["font.family"] = "sans-serif"
    mpl.rcParams["font.sans-serif"] = sans
    # The CJK font has no U+2212 MINUS SIGN in every weight; use the ASCII hyphen-minus.
    mpl.rcParams["axes.unicode_minus"] = False
    return name
