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
  document.addEventListener("click", (ev) => {
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
