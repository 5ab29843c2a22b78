#!/usr/bin/env python3
"""Draws docs/img/original-scale-throughput.svg from insights-load JSON results (stdlib only).

Usage: python3 benches/charts.py benches/results/2026-11-25/orig-off.json \
           benches/results/2026-11-25/orig-on.json docs/img/original-scale-throughput.svg

The original implementation's figures are those of the project's peer-figures.md (measured on
the same kind of machine, original-scale data, 16 connections).
"""
import json
import sys

ORIGINAL = {  # endpoint -> (uncached req/s, cached req/s)
    "effectiveness": (457, 1614),
    "evolution, 12 weeks": (203, 1231),
    "recommendations": (275, 1883),
}
OURS_ENDPOINT = {  # our load-tool endpoint names for each row
    "effectiveness": "effectiveness (default window)",
    "evolution, 12 weeks": "evolution, 12 weeks",
    "recommendations": "recommendations",
}


def rps(results, endpoint):
    for r in results:
        if r["endpoint"] == endpoint:
            return r["requests_per_sec"]
    raise SystemExit(f"no result for {endpoint!r}")


def main(off_path, on_path, out_path):
    off = json.load(open(off_path))
    on = json.load(open(on_path))
    rows = []
    for name, (orig_off, orig_on) in ORIGINAL.items():
        ours = OURS_ENDPOINT[name]
        rows.append((name, [("original, uncached", orig_off, "#bbbbbb"),
                            ("ours, cache off", rps(off, ours), "#4c78a8"),
                            ("original, cached", orig_on, "#888888"),
                            ("ours, cache on", rps(on, ours), "#f58518")]))
    top = max(v for _, bars in rows for _, v, _ in bars)
    width, height, left, bottom, bar, gap = 760, 360, 70, 60, 34, 50
    plot_h = height - bottom - 40
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">'
           'Requests/s on original-scale data, 16 connections (higher is better)</text>']
    for i in range(5):
        v = top * i / 4
        y = height - bottom - plot_h * i / 4
        svg.append(f'<line x1="{left}" y1="{y}" x2="{width - 10}" y2="{y}" stroke="#eee"/>')
        svg.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{v:,.0f}</text>')
    x = left + 20
    for name, bars in rows:
        for label, value, colour in bars:
            h = plot_h * value / top
            y = height - bottom - h
            svg.append(f'<rect x="{x}" y="{y}" width="{bar}" height="{h}" fill="{colour}">'
                       f'<title>{label}: {value:,.0f} req/s</title></rect>')
            svg.append(f'<text x="{x + bar / 2}" y="{y - 4}" text-anchor="middle" font-size="10">'
                       f'{value:,.0f}</text>')
            x += bar + 4
        svg.append(f'<text x="{x - 2 * (bar + 4)}" y="{height - bottom + 18}" '
                   f'text-anchor="middle">{name}</text>')
        x += gap
    legend_x = left
    for label, colour in [("original, uncached", "#bbbbbb"), ("ours, cache off", "#4c78a8"),
                          ("original, cached", "#888888"), ("ours, cache on", "#f58518")]:
        svg.append(f'<rect x="{legend_x}" y="{height - 22}" width="12" height="12" fill="{colour}"/>')
        svg.append(f'<text x="{legend_x + 16}" y="{height - 12}">{label}</text>')
        legend_x += 160
    svg.append('</svg>')
    open(out_path, "w").write("\n".join(svg) + "\n")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
