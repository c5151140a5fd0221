// policykb: a click on any clause chip opens that clause in the panel of its scope by pressing the hidden
// "open" button of that tab, which reads window.pkPick. The chip-link format (attribute, href prefix, REF
// separator, element ids) comes from app/picker.py as window.pkChip, set just before this script.
(() => {
  if (window.pkInstalled) return;
  window.pkInstalled = true;
  const chip = window.pkChip;
  const refOf = (el) => {
    const data = el.getAttribute(chip.attr);
    if (data) return data;
    const href = el.getAttribute("href") || "";
    return href.startsWith(chip.href) ? decodeURIComponent(href.slice(chip.href.length)) : "";
  };
  // "Copy answer" under each answer: its text, then each source with its quote, as plain text.
  const answerText = (bubble) => {
    const lines = [(bubble.querySelector(".pk-answer-text") || bubble).innerText.trim()];
    const sources = [...bubble.querySelectorAll(".pk-sources li, .pk-related li")];
    if (sources.length) lines.push("");
    for (const li of sources) {
      const link = li.querySelector("a.pk-chip");
      const where = li.querySelector(".pk-src-title");
      const quote = li.querySelector("q.pk-src-quote");
      lines.push(`- ${link ? link.innerText.trim() : ""} ${link ? "(" + link.getAttribute("title") + ")" : ""}` +
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
    const el = ev.target && ev.target.closest ? ev.target.closest(`[${chip.attr}], a[href^='${chip.href}']`) : null;
    if (!el) return;
    const ref = refOf(el);
    if (!ref) return;
    ev.preventDefault();
    ev.stopPropagation();
    const scope = ref.split(chip.sep, 1)[0];
    window.pkPick = ref;
    const host = document.getElementById(chip.openId + scope);
    const button = host && (host.tagName === "BUTTON" ? host : host.querySelector("button"));
    if (button) button.click();
    document.querySelectorAll(".pk-active").forEach((n) => n.classList.remove("pk-active"));
    el.classList.add("pk-active");
    revealPanel(scope, ref.split(chip.sep).slice(2).join(chip.sep));
  }, true);
  // Once the panel shows the clicked clause, bring it into view when it is off screen (a clause low
  // in a long outline, or a phone where the panel sits below the list).
  const revealPanel = (scope, clauseId) => {
    const started = Date.now();
    const check = () => {
      const panel = document.getElementById(chip.panelId + scope);
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
