// policykb: a click on any clause link (data-pk="SCOPE|EXTRA|CLAUSE_ID") opens that clause in
// the panel of SCOPE by pressing the hidden "open" button of that tab, which reads window.pkPick.
(() => {
  if (window.pkInstalled) return;
  window.pkInstalled = true;
  const refOf = (el) => {
    const data = el.getAttribute("data-pk");
    if (data) return data;
    const href = el.getAttribute("href") || "";
    return href.startsWith("#pk:") ? decodeURIComponent(href.slice(4)) : "";
  };
  // "Copy answer" under each answer: its text, then each source with its quote, as plain text.
  const answerText = (bubble) => {
    const lines = [(bubble.querySelector(".pk-answer-text") || bubble).innerText.trim()];
    const sources = [...bubble.querySelectorAll(".pk-sources li, .pk-related li")];
    if (sources.length) lines.push("");
    for (const li of sources) {
      const chip = li.querySelector("a.pk-chip");
      const where = li.querySelector(".pk-src-title");
      const quote = li.querySelector("q.pk-src-quote");
      lines.push(`- ${chip ? chip.innerText.trim() : ""} ${chip ? "(" + chip.getAttribute("title") + ")" : ""}` +
        `${where ? " " + where.innerText.trim() : ""}${quote ? ": “" + quote.innerText.trim() + "”" : ""}`);
    }
    return lines.join("\n");
  };
  const copyText = (text) => {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
    return Promise.resolve();
  };
  document.addEventListener("click", (ev) => {
    const copy = ev.target && ev.target.closest ? ev.target.closest("a.pk-copy-answer") : null;
    if (copy) {
      ev.preventDefault();
      ev.stopPropagation();
      const bubble = copy.closest(".pk-answer");
      if (!bubble) return;
      const text = answerText(bubble);
      window.pkCopied = text;
      copyText(text).then(() => { copy.classList.add("pk-copied"); setTimeout(() => copy.classList.remove("pk-copied"), 1500); })
        .catch(() => {});
      return;
    }
    const el = ev.target && ev.target.closest ? ev.target.closest("[data-pk], a[href^='#pk:']") : null;
    if (!el) return;
    const ref = refOf(el);
    if (!ref) return;
    ev.preventDefault();
    ev.stopPropagation();
    const scope = ref.split("|", 1)[0];
    window.pkPick = ref;
    const host = document.getElementById("pk-open-" + scope);
    const button = host && (host.tagName === "BUTTON" ? host : host.querySelector("button"));
    if (button) button.click();
    document.querySelectorAll(".pk-active").forEach((n) => n.classList.remove("pk-active"));
    el.classList.add("pk-active");
    revealPanel(scope, ref.split("|").slice(2).join("|"));
  }, true);
  // Once the panel shows the clicked clause, bring it into view when it is off screen (a clause low
  // in a long outline, or a phone where the panel sits below the list).
  const revealPanel = (scope, clauseId) => {
    const started = Date.now();
    const check = () => {
      const panel = document.getElementById("pk-clause-" + scope);
      const article = panel && panel.querySelector("article.pk-clause");
      if (article && article.getAttribute("data-clause") === clauseId) {
        const box = panel.getBoundingClientRect();
        if (box.top < 0 || box.top > window.innerHeight - 80) panel.scrollIntoView({ behavior: "smooth", block: "start" });
        return;
      }
      if (Date.now() - started < 8000) setTimeout(check, 120);
    };
    setTimeout(check, 60);
  };
})();
