// Progressive enhancement for the checker's list box: suggests names for the medicine being
// typed (the text after the last comma or new line) from /api/v1/drugs. The form works without it.
(function () {
  "use strict";
  var box = document.querySelector("textarea[data-autocomplete]");
  if (!box || !window.fetch) { return; }
  var list = document.createElement("ul");
  list.id = "drug-suggestions";
  list.className = "suggestions";
  list.setAttribute("role", "listbox");
  list.hidden = true;
  box.setAttribute("aria-controls", list.id);
  box.setAttribute("aria-autocomplete", "list");
  box.parentNode.insertBefore(list, box.nextSibling);
  var timer = null;

  function current() {
    var parts = box.value.split(/[,\n;]/);
    return parts[parts.length - 1].trim();
  }
  function choose(name) {
    var value = box.value;
    var cut = Math.max(value.lastIndexOf(","), value.lastIndexOf("\n"), value.lastIndexOf(";"));
    box.value = (cut >= 0 ? value.slice(0, cut + 1) + " " : "") + name + ", ";
    list.hidden = true;
    box.focus();
  }
  function show(items) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.tabIndex = 0;
      li.textContent = item.name + (item.ingredient && item.ingredient.toLowerCase() !== item.name.toLowerCase() ? " (" + item.ingredient + ")" : "");
      li.addEventListener("click", function () { choose(item.name); });
      li.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); choose(item.name); } });
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
  }
  box.addEventListener("input", function () {
    clearTimeout(timer);
    var q = current();
    if (q.length < 2) { list.hidden = true; return; }
    timer = setTimeout(function () {
      fetch("/api/v1/drugs?q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(show)
        .catch(function () { list.hidden = true; });
    }, 150);
  });
  box.addEventListener("keydown", function (e) { if (e.key === "Escape") { list.hidden = true; } });
})();
