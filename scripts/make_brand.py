#!/usr/bin/env python3
"""Draw the integration's brand images (our own design, not M8Com's mark).

A call-recording motif: a white waveform on a deep teal tile with a red
"recording" dot, and a logo with the name beside it. Drawn at 4x and
downsampled for smooth edges. HA 2026.3+ serves these from ``brand/``:
``icon.png`` (256), ``logo.png`` (256 high), ``dark_`` variants for dark
themes, and ``@2x`` of each.

Run: .venv/bin/python scripts/make_brand.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parents[1] / "custom_components" / "m8com" / "brand"
TEAL = (11, 85, 99, 255)
WHITE = (255, 255, 255, 255)
RED = (230, 57, 70, 255)
DARK_TEAL = (38, 140, 158, 255)
INK = {"light": (33, 33, 33, 255), "dark": (240, 240, 240, 255)}
NAME = "M8Com"
BARS = (0.30, 0.55, 0.85, 0.55, 0.30, 0.45)


def icon(size: int, tile: tuple[int, int, int, int] = TEAL) -> Image.Image:
    """One square icon of ``size`` pixels."""
    big = size * 4
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=tile)
    width = big // 14
    gap = big // 22
    total = len(BARS) * width + (len(BARS) - 1) * gap
    left = (big - total) // 2
    middle = big * 0.56
    for n, height in enumerate(BARS):
        half = height * big * 0.28
        x = left + n * (width + gap)
        draw.rounded_rectangle(
            (x, middle - half, x + width, middle + half), radius=width // 2, fill=WHITE
        )
    dot = big // 9
    cx, cy = big * 0.78, big * 0.22
    draw.ellipse((cx - dot, cy - dot, cx + dot, cy + dot), fill=RED)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def logo(height: int, theme: str) -> Image.Image:
    """The icon with the name beside it, ``height`` pixels high."""
    tile = DARK_TEAL if theme == "dark" else TEAL
    mark = icon(height, tile)
    font = ImageFont.load_default(size=int(height * 0.62))
    left, top, right, bottom = font.getbbox(NAME)
    gap = height // 4
    width = int(height + gap + right - left)
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    image.paste(mark, (0, 0), mark)
    draw = ImageDraw.Draw(image)
    draw.text(
        (height + gap - left, (height - (bottom - top)) // 2 - top),
        NAME,
        font=font,
        fill=INK[theme],
    )
    return image


def main() -> None:
    """Write the full set: icon, logo, their dark variants, and @2x of each."""
    OUT.mkdir(parents=True, exist_ok=True)
    for scale, suffix in ((1, ""), (2, "@2x")):
        icon(256 * scale).save(OUT / f"icon{suffix}.png", optimize=True)
        icon(256 * scale, DARK_TEAL).save(OUT / f"dark_icon{suffix}.png", optimize=True)
        logo(128 * scale, "light").save(OUT / f"logo{suffix}.png", optimize=True)
        logo(128 * scale, "dark").save(OUT / f"dark_logo{suffix}.png", optimize=True)
    print(f"wrote {sorted(p.name for p in OUT.glob('*.png'))}")


if __name__ == "__main__":
    main()
