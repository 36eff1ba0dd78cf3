"""An Agg canvas that renders each piece of text once, then copies it.

matplotlib's Agg renderer lays out every string it draws (HarfBuzz, about
0.4 ms a string here) and renders every glyph again with FreeType (about
30 microseconds a glyph), however often it has drawn the same text in the
same place. An explorer's kept figure draws the same legends, titles and tick
labels on move after move (``explorers._KeptFigure``), and this was about a
fifth of its time per move.

``TextCachingCanvas`` is a ``FigureCanvasAgg`` whose renderer keeps:

- each string's layout, by font, size, resolution and string;
- each font's ascent, descent and line gap at each size and resolution, which
  matplotlib's ``Text._get_layout`` otherwise finds the font for and reads
  from its tables for every text it measures (a legend measures each of its
  texts about six times a draw);
- each glyph's bitmap, by font, size, resolution, glyph, rotation and where
  the glyph's origin falls inside a pixel (its position modulo one pixel, in
  FreeType's 1/64 of a pixel). FreeType renders an outline moved by whole
  pixels into the same bitmap, moved; so a glyph is rendered once for each
  of those offsets and then copied wherever it falls.

The pixels are those of ``FigureCanvasAgg``, bit for bit (tests/test_text_cache.py
draws text of every kind both ways and compares; ``explorers._KeptFigure``
checks each explorer's figure against a plain canvas too). The renderer's text
path follows matplotlib 3.11's ``RendererAgg.draw_text`` and
``_draw_text_glyphs_and_boxes``, and its font heights ``Text._get_layout``'s
reading of the font's tables (through the renderer hook
``_get_font_height_metrics`` that ``_get_layout`` asks first). These are
private: the pinned matplotlib is the one it was written for, and those tests
fail if another one draws or lays out text differently.
"""

import math

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.font_manager import fontManager, get_font
from matplotlib.ft2font import RenderMode

MAX_GLYPHS = 50_000      # bitmaps kept (a few hundred bytes each); all are dropped when full
MAX_LAYOUTS = 5_000      # string layouts kept; likewise

_glyphs = {}             # (font, size, dpi, glyph, matrix, x % 64, y % 64, flags, mode) -> (bitmap, left, top)
_layouts = {}            # (font, size, dpi, string, flags, features, language) -> [(font, glyph, x, y)]
_heights = {}            # (font properties, dpi) -> (ascent, descent, line gap) in pixels


class TextCachingRenderer(RendererAgg):
    """``RendererAgg`` that takes string layouts and glyph bitmaps from the caches above."""

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:
            return self.draw_mathtext(gc, x, y, s, prop, angle)
        font = self._prepare_font(prop)
        size = prop.get_size_in_points()
        flags = get_hinting_flag()
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        key = (font, size, self.dpi, s, flags, _hashable(features), _hashable(language))
        items = _layouts.get(key)
        if items is None:
            items = [(item.ft_object, item.glyph_index, item.x, item.y)
                     for item in font._layout(s, flags=flags, features=features, language=language)]
            _remember(_layouts, key, items, MAX_LAYOUTS)
        self._draw_text_glyphs_and_boxes(
            gc, x, y, angle, ((glyph_font, size, glyph, 0, 1, dx, dy) for glyph_font, glyph, dx, dy in items), [])

    def _draw_text_glyphs_and_boxes(self, gc, x, y, angle, glyphs, boxes):
        """Draw ``glyphs`` (from draw_text or a mathtext parse) and ``boxes`` (mathtext's rules)."""
        cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
        rotation = 0x10000 * np.array([[cos, -sin], [sin, cos]])    # FreeType's 16.16 fixed point
        matrices = {}                                                # per (slant, extend): one for most text
        flags = get_hinting_flag()
        mode = RenderMode.NORMAL if gc.get_antialiased() else RenderMode.MONO
        for font, size, glyph, slant, extend, dx, dy in glyphs:      # dy is upwards
            matrix = matrices.get((slant, extend))
            if matrix is None:
                matrix = matrices[slant, extend] = tuple(
                    (rotation @ [[extend, extend * slant], [0, 1]]).round().astype(int).ravel())
            at_x = round(0x40 * (x + dx * cos - dy * sin))          # FreeType's 1/64 pixel; y upwards
            at_y = round(0x40 * (self.height - y + dx * sin + dy * cos))
            key = (font, size, self.dpi, glyph, matrix, at_x % 64, at_y % 64, flags, mode)
            cached = _glyphs.get(key)
            if cached is None:
                cached = self._render_glyph(font, size, glyph, matrix, at_x % 64, at_y % 64, flags, mode)
                _remember(_glyphs, key, cached, MAX_GLYPHS)
            bitmap, left, top = cached
            left, top = left + at_x // 64, top + at_y // 64          # moved by whole pixels
            # draw_text_image's y is downwards and names the bitmap's bottom row
            self._renderer.draw_text_image(bitmap, left, int(self.height) - top + bitmap.shape[0], 0, gc)
        if boxes:
            super()._draw_text_glyphs_and_boxes(gc, x, y, angle, (), boxes)

    def _get_font_height_metrics(self, prop):
        """The font's ascent, descent and line gap in pixels, from its OS/2 or else its hhea
        table, as ``Text._get_layout`` computes them when a renderer does not; (None, None,
        None) for a font with neither (``_get_layout`` then measures the string "lp").

        At the renderer's resolution, where ``_get_layout`` takes the figure's: the same
        whenever the figure is drawn on this canvas (its renderer is made for the figure's
        dpi), not for ``Text.get_window_extent(dpi=...)`` at another dpi."""
        key = (prop, self.dpi)
        heights = _heights.get(key)
        if heights is None:
            font = get_font(fontManager._find_fonts_by_props(prop))
            heights = None, None, None
            for table_name, gap_key, ascent_key, descent_key in [
                    ("OS/2", "sTypoLineGap", "sTypoAscender", "sTypoDescender"),
                    ("hhea", "lineGap", "ascent", "descent")]:
                table = font.get_sfnt_table(table_name)
                if table is not None:
                    scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * prop.get_size_in_points() * self.dpi / 72
                    heights = table[ascent_key] * scale, -table[descent_key] * scale, table[gap_key] * scale
                    break
            _remember(_heights, (prop.copy(), self.dpi), heights, MAX_LAYOUTS)
        return heights

    def _render_glyph(self, font, size, glyph, matrix, at_x, at_y, flags, mode):
        """FreeType's bitmap of ``glyph`` with its origin at (at_x, at_y) / 64 pixels, and its left and top."""
        font.set_size(size, self.dpi)
        font._set_transform(np.array(matrix).reshape(2, 2), [at_x, at_y])
        rendered = font._render_glyph(glyph, flags, mode)
        bitmap = np.array(rendered.buffer)
        if mode == RenderMode.MONO:
            bitmap *= 0xff
        return bitmap, rendered.left, rendered.top


class TextCachingCanvas(FigureCanvasAgg):
    """``FigureCanvasAgg`` drawing with a :class:`TextCachingRenderer`: the same pixels, text drawn sooner."""

    def get_renderer(self):
        w, h = self.get_width_height(physical=True)
        key = w, h, self.figure.dpi
        if self._lastKey != key:
            self.renderer = TextCachingRenderer(w, h, self.figure.dpi)
            self._lastKey = key
        return self.renderer


def _hashable(value):
    return tuple(value) if isinstance(value, (list, tuple)) else value


def _remember(cache, key, value, limit):
    if len(cache) >= limit:
        cache.clear()
    cache[key] = value
