// A small bar chart drawn by uPlot on a canvas. Sizes go to uPlot as options
// (it sets them through the CSSOM, which the CSP allows; no style attribute
// is written by this code). The canvas is hidden from assistive technology:
// the same numbers are in a table beside it.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Bar {
  label: string;
  value: number;
}

const HEIGHT = 220;

function canDraw(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

interface BarChartProps {
  bars: Bar[];
  caption: string;
  /** What the bars are (the table's first column). */
  categoryLabel: string;
  /** What the numbers count. */
  valueLabel: string;
}

export function BarChart({ bars, caption, categoryLabel, valueLabel }: BarChartProps) {
  const host = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const el = host.current;
    if (!el || bars.length === 0) return;
    const labels = bars.map((b) => b.label);
    const width = () => Math.max(240, Math.min(720, el.clientWidth || 480));
    const opts: uPlot.Options = {
      width: width(),
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      select: { show: false, left: 0, top: 0, width: 0, height: 0 },
      scales: {
        x: { time: false, range: [-0.5, bars.length - 0.5] },
        y: { range: (_u, _min, max) => [0, Math.max(1, Math.ceil(max * 1.1))] },
      },
      axes: [
        {
          stroke: '#374151',
          grid: { show: false },
          ticks: { show: false },
          splits: () => labels.map((_, i) => i),
          values: (_u, splits) => splits.map((i) => labels[i] ?? ''),
        },
        { stroke: '#374151', grid: { stroke: '#e5e7eb', width: 1 }, size: 50 },
      ],
      series: [
        {},
        {
          label: valueLabel,
          fill: '#1d4ed8',
          stroke: '#1d4ed8',
          width: 0,
          paths: uPlot.paths.bars?.({ size: [0.6, 80] }),
          points: { show: false },
        },
      ],
    };
    const data: uPlot.AlignedData = [bars.map((_, i) => i), bars.map((b) => b.value)];
    // Without a 2D canvas (a test DOM) the table alone carries the numbers.
    if (!canDraw()) return;
    const plot = new uPlot(opts, data, el);
    const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => plot.setSize({ width: width(), height: HEIGHT }));
    observer?.observe(el);
    return () => {
      observer?.disconnect();
      plot.destroy();
    };
  }, [bars, valueLabel]);

  return (
    <figure className="chart">
      <div ref={host} className="chart-canvas" aria-hidden="true" />
      <figcaption className="muted">{caption}</figcaption>
      <table className="visually-hidden">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{categoryLabel}</th>
            <th scope="col">{valueLabel}</th>
          </tr>
        </thead>
        <tbody>
          {bars.map((b) => (
            <tr key={b.label}>
              <th scope="row">{b.label}</th>
              <td>{b.value}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}

export default BarChart;
