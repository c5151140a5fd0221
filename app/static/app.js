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
  document.addEventListener("click", (ev) => {
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
    if (window.innerWidth < 900) {
      setTimeout(() => {
        const panel = document.getElementById(chip.panelId + scope);
        if (panel) panel.scrollIntoView({ behavior: "smooth", block: "start" });
      }, 350);
    }
  }, true);
})();
