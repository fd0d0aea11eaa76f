/** The HTML report's style sheet: light and dark colour schemes, tables, cards and chart marks. */
export const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--grid:#e4e8ec;--card:#f6f8fa;--border:#d1d9e0;
--base:#3f6fa8;--head:#e06c00;--bad:#cf222e;--good:#1a7f37;--warn:#9a6700;--neutral:#59636e;--beyond:rgba(207,34,46,.09)}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--grid:#262c34;--card:#151b23;
--border:#3d444d;--base:#79a8e0;--head:#f5a35c;--bad:#ff7b72;--good:#56d364;--warn:#e3b341;--neutral:#9198a1;--beyond:rgba(248,81,73,.14)}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
main{max-width:1420px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 6px}h2{font-size:19px;margin:32px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--border)}
h3{font-size:15px;margin:0 0 4px;display:flex;gap:8px;align-items:center;flex-wrap:wrap}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--card);border:1px solid var(--border);border-radius:4px;padding:0 4px;overflow-wrap:anywhere}
pre{background:var(--card);border:1px solid var(--border);border-radius:6px;padding:10px;overflow:auto;white-space:pre-wrap;overflow-wrap:anywhere}
pre code{border:0;padding:0}
a{color:var(--base)}
.muted{color:var(--muted)}
.verdict{display:inline-block;font-size:13px;font-weight:700;letter-spacing:.05em;padding:2px 10px;border-radius:999px;color:#fff;vertical-align:middle;margin-right:8px}
.verdict.pass{background:#1a7f37}.verdict.fail{background:#cf222e}.verdict.error{background:#9a6700}
.badge{white-space:nowrap;font-size:12px;font-weight:600;padding:1px 8px;border-radius:999px;border:1px solid currentColor}
.t-bad{color:var(--bad)}.t-good{color:var(--good)}.t-warn{color:var(--warn)}.t-neutral{color:var(--neutral)}
.legend{display:flex;gap:16px;flex-wrap:wrap;margin:8px 0}
.swatch{display:inline-block;width:12px;height:12px;border-radius:50%;vertical-align:-1px;margin-right:5px}
.swatch.s-base{background:var(--base)}.swatch.s-head{background:var(--head)}
.scroll{overflow-x:auto;max-width:100%}
table.summary code{white-space:nowrap;overflow-wrap:normal}
table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
th,td{text-align:left;padding:5px 10px;border-bottom:1px solid var(--border);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:12.5px}
td.num,th.num{text-align:right;white-space:nowrap}
table.pct{width:auto;flex:0 1 auto;margin-top:8px}
.card{background:var(--card);border:1px solid var(--border);border-radius:8px;padding:14px 16px;margin:14px 0}
.card.o-bad{border-left:4px solid var(--bad)}.card.o-good{border-left:4px solid var(--good)}.card.o-warn{border-left:4px solid var(--warn)}
.stats{margin:0 0 8px;color:var(--muted);font-size:13px}
.charts{display:flex;flex-wrap:wrap;gap:10px 18px;align-items:flex-start}
figure{margin:0}figcaption{font-size:12px;color:var(--muted);margin-left:4px}
svg.chart{display:block;max-width:100%;height:auto;overflow:visible;font-size:11px}
svg .grid{stroke:var(--grid);stroke-width:1}
svg .tick{fill:var(--muted);font-size:10.5px;font-variant-numeric:tabular-nums}
svg .axis-title{fill:var(--muted);font-size:11px}
svg .note{fill:var(--muted);font-style:italic}
svg .row-label{font-weight:600;font-size:12px}
svg .row-label.s-base{fill:var(--base)}svg .row-label.s-head{fill:var(--head)}
svg .series{fill:none;stroke-width:1.6;stroke-linejoin:round;opacity:.75}
svg .series.s-base{stroke:var(--base)}svg .series.s-head{stroke:var(--head)}
svg .dot.s-base{fill:var(--base)}svg .dot.s-head{fill:var(--head)}
svg .dot{fill-opacity:.8;stroke:var(--bg);stroke-width:.8}
svg .median{stroke-width:1.2;stroke-dasharray:5 4;opacity:.9}
svg .median.s-base{stroke:var(--base)}svg .median.s-head{stroke:var(--head)}
svg .box rect{fill:none;stroke-width:1.5}svg .box line{stroke-width:1.3}svg .box .med{stroke-width:3}
svg .box.s-base rect,svg .box.s-base line{stroke:var(--base)}svg .box.s-head rect,svg .box.s-head line{stroke:var(--head)}
svg .beyond{fill:var(--beyond)}
svg .budget{stroke:var(--bad);stroke-width:1.4;stroke-dasharray:4 3}
svg .budget-label{fill:var(--bad)}
svg .zero{stroke:var(--muted);stroke-width:1}
svg .ci line{stroke:currentColor;stroke-width:2.2}svg .ci circle{fill:currentColor;stroke:var(--bg);stroke-width:1.5}
ul.warnings{margin:6px 0 0;padding-left:20px;color:var(--warn);font-size:13px}
ul.errors{color:var(--bad)}
ul.errors pre{color:var(--fg);margin:4px 0 8px;font-size:12px}
sup{font-size:10px;color:var(--muted);margin-left:2px}
dl.env{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:0}
dl.env dt{color:var(--muted)}dl.env dd{margin:0}
`;
