/** The report's inline CSS. */
export const REPORT_CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 6px}h3{font-size:14px;margin:14px 0 4px}
code{font-size:12px}.src{color:#667;margin:0}.warn{background:#fff4d6;padding:8px;border-radius:4px}
table{border-collapse:collapse}th,td{padding:2px 10px;text-align:left;border-bottom:1px solid #eee}
table.metrics th{font-weight:500;color:#445}tr.lost td{color:#b3261e}
.scroll{overflow:auto;max-height:80vh;border:1px solid #e4e6eb}
.prov{fill:#cfd3da}.pull{fill:#b9a7e0}.boot{fill:#f2d16b}.idle{fill:#eef1f5}.drain{fill:#e8a39c}
.u{fill:#4a7fd6}.q{fill:#a9c3ee}.p{fill:#3c9a5f}.d{fill:#e8912d}
.fail{fill:#d9534f}.retry{fill:none;stroke:#1d2330;stroke-width:.7}
.back{fill:#fff;stroke:#e8912d;stroke-dasharray:2 1;stroke-width:.8}
g.t.lost .lbl{fill:#b3261e}.x{fill:#b3261e;font-size:11px}.lbl{font-size:11px;fill:#334}
.tick{font-size:10px;fill:#667}.ax{stroke:#99a}
polyline{fill:none;stroke-width:1.5}.alive{stroke:#7a869a}.busy{stroke:#3c9a5f}line.alive,line.busy{stroke-width:2}
.cost{fill:#4a7fd6}.legend{margin:4px 0}.key{margin-right:12px;font-size:12px;white-space:nowrap}.key svg{vertical-align:middle;margin-right:4px}
#tip{position:fixed;pointer-events:none;background:#1d2330;color:#fff;font-size:12px;padding:4px 6px;border-radius:3px;max-width:520px;white-space:pre-wrap}
`;

/** Tooltips from the data attributes: which task, segment, attempt, and its phases in seconds. */
export const REPORT_SCRIPT = `(()=>{const tip=document.getElementById("tip");const n=["upload","uploaded","processing","processed","download","done"];
document.addEventListener("mousemove",e=>{const t=e.target.closest&&e.target.closest("g.t");if(!t){tip.hidden=true;return}
const svg=t.ownerSVGElement,r=svg.getBoundingClientRect(),d=svg.dataset,at=(e.clientX-r.left-Number(d.x0))/Number(d.w)*Number(d.span);
let s="task "+t.dataset.task+"\\n"+t.dataset.cap+(t.dataset.lost?"\\nlost: "+t.dataset.lost:"");
for(const a of t.querySelectorAll("g.a")){const v=a.dataset.t.split(" ").map(x=>x===""?NaN:Number(x)),lo=v.find(x=>!isNaN(x)),hi=v.findLast(x=>!isNaN(x));
if(at>=lo&&at<=hi){s="segment "+a.dataset.s+" attempt "+a.dataset.n+" ("+a.classList[1]+")\\n"+v.map((x,i)=>isNaN(x)?"":n[i]+" at "+x.toFixed(3)+" s").filter(Boolean).join("\\n")+(a.dataset.e?"\\n"+a.dataset.e:"")+"\\n"+s;break}}
tip.textContent=s;tip.hidden=false;tip.style.left=Math.min(e.clientX+12,innerWidth-540)+"px";tip.style.top=(e.clientY+12)+"px"})})();`;
