// The one page flow-web serves: HTML, CSS and JS in one string, shipped in the binary (no build
// step, no CDN, works offline). It opens an EventSource on /events, starts from the `full` ops of
// the flows the server holds, then applies each op (PageState.swift lists them) to its own model
// and re-renders only the cards that changed, once per animation frame.
// Safety: every captured string reaches the DOM through textContent or createTextNode, never
// innerHTML, so a prompt holding `<script>` shows as text.

enum Page {
    static let html = #"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>StreamTap flow-web</title>
        <style>
        :root { --bg:#0f1115; --card:#181b22; --fg:#d8dde6; --dim:#8a93a3; --user:#7fb7ff; --bash:#ffd479; --dead:#ff6b6b; --done:#6bd68a; --stream:#ffb347; }
        * { box-sizing: border-box; }
        body { margin:0; background:var(--bg); color:var(--fg); font:14px/1.45 ui-monospace, SFMono-Regular, Menlo, monospace; }
        header { position:sticky; top:0; background:#0b0d11; padding:8px 12px; display:flex; gap:8px; align-items:center; border-bottom:1px solid #262a33; z-index:1; }
        header input, header select { background:#1c2029; color:var(--fg); border:1px solid #333846; padding:4px 6px; font:inherit; }
        #search { flex:1; }
        #count { color:var(--dim); }
        main { padding:8px 12px; }
        .card { background:var(--card); border-left:4px solid var(--stream); margin:8px 0; padding:8px 10px; border-radius:4px; }
        .card.DONE { border-left-color:var(--done); } .card.DEAD { border-left-color:var(--dead); }
        .head { color:var(--dim); display:flex; gap:12px; flex-wrap:wrap; }
        .state { font-weight:bold; } .STREAMING .state { color:var(--stream); } .DONE .state { color:var(--done); } .DEAD .state { color:var(--dead); }
        .prompt { color:var(--user); white-space:pre-wrap; margin:6px 0; }
        .text { white-space:pre-wrap; margin:6px 0; }
        details.reasoning { color:var(--dim); margin:6px 0; } details.reasoning div { white-space:pre-wrap; }
        .tool { margin:6px 0; } .tool .name { color:var(--bash); }
        .tool pre, .bash pre { margin:2px 0 0; white-space:pre-wrap; background:#11141a; padding:6px; }
        .bash { margin:6px 0; } .bash .label { color:var(--bash); font-weight:bold; }
        .usage { color:var(--dim); }
        .hidden { display:none; }
        </style></head>
        <body>
        <header>
          <strong>flow-web</strong>
          <input id="search" type="search" placeholder="search text, prompts, commands">
          <select id="provider"><option value="">all providers</option></select>
          <select id="session"><option value="">all sessions</option></select>
          <span id="count"></span><span id="conn"></span>
        </header>
        <main id="flows"></main>
        <script>
        "use strict";
        const flows = new Map();          // id -> model
        const cards = new Map();          // id -> element
        const dirty = new Set();
        const main = document.getElementById("flows");
        const search = document.getElementById("search");
        const providerSel = document.getElementById("provider");
        const sessionSel = document.getElementById("session");
        const known = { provider: new Set(), session: new Set() };

        function el(tag, cls, text) {
          const e = document.createElement(tag);
          if (cls) e.className = cls;
          if (text !== undefined && text !== null) e.textContent = String(text);
          return e;
        }
        function model(id) {
          let f = flows.get(id);
          if (!f) { f = { id, state: "STREAMING", blocks: [], bash: [] }; flows.set(id, f); }
          return f;
        }
        function block(f, index, kind) {
          let b = f.blocks.find(b => b.index === index);
          if (!b) { b = { index, block: kind, text: "" }; f.blocks.push(b); }
          return b;
        }
        function option(kind, value) {
          if (!value || known[kind].has(value)) return;
          known[kind].add(value);
          const o = el("option", null, kind === "session" ? value.slice(0, 13) : value);
          o.value = value;
          (kind === "provider" ? providerSel : sessionSel).appendChild(o);
        }
        function apply(op) {
          if (op.op === "evict") {
            flows.delete(op.id); dirty.delete(op.id);
            const c = cards.get(op.id); if (c) { c.remove(); cards.delete(op.id); }
            return;
          }
          const f = model(op.id);
          switch (op.op) {
            case "full": Object.assign(f, op); f.blocks = op.blocks; f.bash = op.bash; break;
            case "flow": Object.assign(f, { session: op.session, provider: op.provider, url: op.url, ts: op.ts, state: op.state }); break;
            case "prompt": f.prompt = op.text; break;
            case "block": Object.assign(block(f, op.index, op.block), { block: op.block, tool: op.tool, call_id: op.call_id }); break;
            case "text": block(f, op.index, op.kind === "tool_args" ? "tool" : op.kind).text += op.text; break;
            case "bash": {
              const at = f.bash.findIndex(b => op.call_id && b.call_id === op.call_id);
              if (at >= 0) f.bash[at] = op; else f.bash.push(op);
              break;
            }
            case "usage": Object.assign(f, { input: op.input, output: op.output, cache_read: op.cache_read, model: op.model || f.model }); break;
            case "state": Object.assign(f, { state: op.state, reason: op.reason, ttft_ms: op.ttft_ms, duration_ms: op.duration_ms }); break;
          }
          option("provider", f.provider); option("session", f.session);
          dirty.add(op.id);
        }
        function pretty(text) {
          try { return JSON.stringify(JSON.parse(text), null, 2); } catch (e) { return text; }
        }
        function render(f) {
          f.hay = undefined;
          const c = el("div", "card " + f.state);
          c.dataset.id = f.id;
          const head = el("div", "head");
          head.appendChild(el("span", "state", f.state));
          head.appendChild(el("span", "provider", f.provider || "?"));
          if (f.model) head.appendChild(el("span", "model", f.model));
          head.appendChild(el("span", "session", "session " + (f.session || "?").slice(0, 13)));
          head.appendChild(el("span", "flow", f.id));
          if (f.ts) head.appendChild(el("span", "ts", f.ts));
          c.appendChild(head);
          if (f.prompt) c.appendChild(el("div", "prompt", "> " + f.prompt));
          const shown = new Set(f.bash.map(b => b.call_id).filter(Boolean));
          for (const b of f.blocks) {
            if (b.block === "reasoning") {
              const d = el("details", "reasoning"); d.appendChild(el("summary", null, "reasoning (" + b.text.length + " chars)"));
              d.appendChild(el("div", null, b.text)); c.appendChild(d);
            } else if (b.block === "tool") {
              if (b.call_id && shown.has(b.call_id)) continue;   // shown below as a bash command
              const t = el("div", "tool"); t.appendChild(el("span", "name", "tool " + (b.tool || "?")));
              t.appendChild(el("pre", null, pretty(b.text))); c.appendChild(t);
            } else if (b.text) {
              c.appendChild(el("div", "text", b.text));
            }
          }
          for (const b of f.bash) {
            const d = el("div", "bash"); d.appendChild(el("span", "label", "$ " + (b.shell || "bash")));
            d.appendChild(el("pre", "command", b.command)); c.appendChild(d);
          }
          const facts = [];
          if (f.input != null) facts.push("in " + f.input);
          if (f.output != null) facts.push("out " + f.output);
          if (f.cache_read) facts.push("cache " + f.cache_read);
          if (f.ttft_ms != null) facts.push("ttft " + f.ttft_ms + " ms");
          if (f.duration_ms != null) facts.push(f.duration_ms + " ms");
          if (f.reason) facts.push(f.reason);
          if (facts.length) c.appendChild(el("div", "usage", facts.join(" · ")));
          return c;
        }
        function matches(f) {
          if (providerSel.value && f.provider !== providerSel.value) return false;
          if (sessionSel.value && f.session !== sessionSel.value) return false;
          const q = search.value.toLowerCase();
          if (!q) return true;
          // The searchable text is joined once per change of the flow (render), not per keystroke.
          if (f.hay === undefined) f.hay = [f.prompt, f.id, f.session, ...f.blocks.map(b => b.text), ...f.bash.map(b => b.command)].join("\n").toLowerCase();
          return f.hay.includes(q);
        }
        function flush() {
          for (const id of dirty) {
            const f = flows.get(id); if (!f) continue;
            const fresh = render(f);
            const old = cards.get(id);
            if (old) old.replaceWith(fresh); else main.prepend(fresh);
            cards.set(id, fresh);
            fresh.classList.toggle("hidden", !matches(f));
          }
          dirty.clear();
          document.getElementById("count").textContent = flows.size + " flows";
        }
        function refilter() { for (const [id, c] of cards) c.classList.toggle("hidden", !matches(flows.get(id))); }
        search.addEventListener("input", refilter);
        providerSel.addEventListener("change", refilter);
        sessionSel.addEventListener("change", refilter);
        let scheduled = false;
        function schedule() { if (!scheduled) { scheduled = true; requestAnimationFrame(() => { scheduled = false; flush(); }); } }
        function connect() {
          const source = new EventSource("events");
          source.addEventListener("reset", () => { flows.clear(); dirty.clear(); for (const c of cards.values()) c.remove(); cards.clear(); });
          source.onmessage = (e) => { for (const line of e.data.split("\n")) if (line) apply(JSON.parse(line)); schedule(); };
          source.onopen = () => { document.getElementById("conn").textContent = ""; };
          source.onerror = () => { document.getElementById("conn").textContent = " (reconnecting)"; };
        }
        connect();
        </script>
        </body></html>
        """#
}
