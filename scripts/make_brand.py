#!/usr/bin/env python3
"""Draw the integration's brand icons (our own design, not M8Com's mark).

A call-recording motif: a white waveform on a deep teal tile with a red
"recording" dot. Drawn at 4x and downsampled for smooth edges.

Run: .venv/bin/python scripts/make_brand.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "custom_components" / "m8com" / "brand"
TEAL = (11, 85, 99, 255)
WHITE = (255, 255, 255, 255)
RED = (230, 57, 70, 255)
BARS = (0.30, 0.55, 0.85, 0.55, 0.30, 0.45)


def icon(size: int) -> Image.Image:
    """One square icon of ``size`` pixels."""
    big = size * 4
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=TEAL)
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


def main() -> None:
    """Write icon.png (256) and icon@2x.png (512)."""
    OUT.mkdir(parents=True, exist_ok=True)
    icon(256).save(OUT / "icon.png", optimize=True)
    icon(512).save(OUT / "icon@2x.png", optimize=True)
    print(f"wrote {OUT / 'icon.png'} and {OUT / 'icon@2x.png'}")


if __name__ == "__main__":
    main()
