"""The calibration chain of docs/performance.md for alternated rounds of benches/tail-spikes.sh:
per endpoint, the median-req/s run of each build, HEAD / 9ee1f6b here times 9ee1f6b / the
original in the same-run table (p99, and req/s).
Usage: python3 calibration-summary.py <dir> <round>...   (reads <dir>/cal-{9ee1f6b,head}-<round>/runs.tsv)"""
import sys

# 9ee1f6b / original in the same-run table: (p99 ratio, req/s ratio).
SAME_RUN = {
    'effectiveness-fixed': (4.29 / 38.45, 15.4),
    'evolution': (13.44 / 94.44, 11.8),
    'recommendations': (7.36 / 67.51, 18.3),
}


def median_runs(folder):
    lines = open(f'{folder}/runs.tsv').read().split('\n')
    header = lines[0].split()
    rows = [dict(zip(header, line.split())) for line in lines[1:] if line.strip()]
    medians = {}
    for endpoint in SAME_RUN:
        runs = sorted((r for r in rows if r['endpoint'] == endpoint), key=lambda r: float(r['req_s']))
        median = runs[len(runs) // 2]
        medians[endpoint] = (float(median['req_s']), float(median['p99_ms']),
                             max(float(r['max_ms']) for r in runs))
    return medians


base = sys.argv[1]
for round_ in sys.argv[2:]:
    old, new = median_runs(f'{base}/cal-9ee1f6b-{round_}'), median_runs(f'{base}/cal-head-{round_}')
    print('round', round_)
    for endpoint, (p99_ratio, req_ratio) in SAME_RUN.items():
        here = new[endpoint][1] / old[endpoint][1]
        print(f'  {endpoint}: 9ee {old[endpoint][0]:.0f} req/s p99 {old[endpoint][1]:.3f} | '
              f'head {new[endpoint][0]:.0f} p99 {new[endpoint][1]:.3f} | head/9ee p99 {here:.3f} '
              f'-> vs original {here * p99_ratio:.3f}x ; req/s vs original '
              f'{new[endpoint][0] / old[endpoint][0] * req_ratio:.1f}x ; '
              f'max head {new[endpoint][2]} 9ee {old[endpoint][2]}')
