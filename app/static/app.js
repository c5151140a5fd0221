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
    if (window.innerWidth < 900) {
      setTimeout(() => {
        const panel = document.getElementById("pk-clause-" + scope);
        if (panel) panel.scrollIntoView({ behavior: "smooth", block: "start" });
      }, 350);
    }
  }, true);
})();
