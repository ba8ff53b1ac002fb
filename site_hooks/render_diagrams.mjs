// Draw Mermaid diagrams as SVG without a browser (beautiful-mermaid: pure JavaScript
// layout, no DOM). Called by site_hooks/diagrams.py.
//   stdin:  JSON list of Mermaid sources
//   stdout: JSON list, one {"svg": "..."} or {"error": "..."} per source
// Colours are Material's CSS variables, so a diagram follows the light and dark schemes.
import { renderMermaidSVG } from "beautiful-mermaid";

const OPTIONS = {
  bg: "var(--md-default-bg-color)",
  fg: "var(--md-default-fg-color)",
  // Labels at full text colour: the library's default (60% of it) is below 4.5:1.
  muted: "var(--md-default-fg-color)",
  transparent: true,
};

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((source) => {
    try {
      return { svg: renderMermaidSVG(source, OPTIONS) };
    } catch (error) {
      return { error: String(error && error.message ? error.message : error) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
