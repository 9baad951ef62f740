// trustdesk desk behaviour: keyboard navigation, live updates (SSE), draft picking, bulk selection.
// Loaded as a static file: the Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#rows .row")); }

  function current() { return document.querySelector("#rows .row.current"); }

  function select(row) {
    var old = current();
    if (old) old.classList.remove("current");
    if (!row) return;
    row.classList.add("current");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.indexOf(current());
    var next = index < 0 ? 0 : Math.max(0, Math.min(list.length - 1, index + step));
    select(list[next]);
  }

  function toast(text) {
    var box = document.getElementById("toast");
    if (!box) return;
    box.textContent = text;
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 4000);
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var key = event.key;
    if (key === "j") { move(1); event.preventDefault(); }
    else if (key === "k") { move(-1); event.preventDefault(); }
    else if (key === "Enter") {
      var row = current();
      if (row && row.dataset.href) { window.location.assign(row.dataset.href); event.preventDefault(); }
    } else if (key === "x") {
      var r = current();
      var box = r && r.querySelector("input.pick");
      if (box) { box.checked = !box.checked; updateCount(); event.preventDefault(); }
    } else if (key === "/") {
      var search = document.getElementById("search");
      if (search) { search.focus(); event.preventDefault(); }
    } else if (key === "r") {
      var reply = document.getElementById("reply");
      if (reply) { reply.focus(); reply.scrollIntoView({ block: "center" }); event.preventDefault(); }
    } else if (key === "e") {
      var resolve = document.getElementById("resolve-form");
      if (resolve) { resolve.requestSubmit(); event.preventDefault(); }
    } else if (key === "u" || key === "Escape") {
      var back = document.getElementById("back");
      if (back) { window.location.assign(back.getAttribute("href")); event.preventDefault(); }
    }
  });

  function updateCount() {
    var label = document.getElementById("selected-count");
    if (!label) return;
    var n = document.querySelectorAll("#rows input.pick:checked").length;
    label.textContent = n + " selected";
    var bar = document.getElementById("bulk");
    if (bar) bar.classList.toggle("has-selection", n > 0);
  }

  document.addEventListener("change", function (event) {
    if (event.target.classList && event.target.classList.contains("pick")) updateCount();
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var use = target.closest("[data-use-draft]");
    if (use) {
      var text = use.parentElement.querySelector(".draft-text");
      var reply = document.getElementById("reply");
      if (text && reply) {
        reply.value = text.textContent;
        reply.focus();
        reply.dispatchEvent(new Event("input", { bubbles: true }));
      }
      return;
    }
    var copy = target.closest("[data-copy]");
    if (copy) {
      var source = document.getElementById(copy.dataset.copy);
      if (source && navigator.clipboard) {
        navigator.clipboard.writeText(source.textContent).then(function () { toast("Copied"); });
      }
      return;
    }
    var row = target.closest("#rows .row");
    if (row && !target.closest("a, input, button, label")) select(row);
  });

  // Live updates: the server tells us when messages arrive; htmx elements listening for
  // "td:messages" refresh themselves.
  function connect() {
    var url = document.body.dataset.events;
    if (!url || !window.EventSource) return;
    var live = document.getElementById("live");
    var source = new EventSource(url);
    source.addEventListener("hello", function () { if (live) live.classList.add("on"); });
    source.addEventListener("messages", function (event) {
      var detail = {};
      try { detail = JSON.parse(event.data); } catch (e) { detail = {}; }
      if (window.htmx) window.htmx.trigger(document.body, "td:messages", detail);
      toast("New messages arrived");
    });
    source.onerror = function () { if (live) live.classList.remove("on"); };
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "rows") updateCount();
  });

  // A select marked data-autosubmit (the brand switcher) submits its form when changed.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el && el.matches && el.matches("select[data-autosubmit]") && el.form) el.form.submit();
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", connect);
  else connect();
})();
