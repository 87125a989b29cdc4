/*
 * Shangyou UI behaviour. The Content-Security-Policy allows no inline script, so every
 * behaviour is declared with data attributes and wired up here:
 *
 *   <select data-autosubmit>            submits its form on change; the form's submit buttons
 *                                       are hidden while JS runs (they stay for no-JS users).
 *   <form data-confirm="Sure?">         asks before submitting (also on buttons and links).
 *   <select data-tom-select>            enhanced with Tom Select; options:
 *                                       data-tom-select-url="/x/?q=" loads [{value, text}] JSON,
 *                                       data-tom-select-create allows new entries.
 *   <div data-echarts-option='{…}'>     an ECharts chart from inline JSON,
 *   <div data-echarts-option-id="id">   … from a {{ value|json_script:"id" }} element,
 *   <div data-echarts-url="/x.json">    … from a JSON endpoint (the option object).
 *                                       Pages with charts load echarts.min.js in {% block head %}.
 *   .alert [data-bs-dismiss="alert"]    closes the alert (also without Bootstrap's JS).
 *   <button data-print>                 prints the page (invoices, quotations).
 *   <input data-live-search>            a search box its form asks with on `input`: its
 *                                       `change` (when it loses focus) does not reach the
 *                                       form's own `change` trigger.
 *
 * Everything is (re)initialised for content swapped in by HTMX. User-facing texts come from
 * data-msg-* attributes on <body>, translated by the server, so this file has none.
 */
(function () {
  "use strict";

  var Shangyou = (window.Shangyou = window.Shangyou || {});

  function message(name, fallback) {
    var body = document.body;
    return (body && body.getAttribute("data-msg-" + name)) || fallback;
  }

  function each(root, selector, fn) {
    if (root.matches && root.matches(selector)) fn(root);
    if (root.querySelectorAll) Array.prototype.forEach.call(root.querySelectorAll(selector), fn);
  }

  function once(el, key) {
    var flag = "syInit" + key;
    if (el.dataset[flag]) return false;
    el.dataset[flag] = "1";
    return true;
  }

  /* --- messages ------------------------------------------------------------------------- */
  function showAlert(text, level) {
    var box = document.getElementById("messages");
    if (!box) return;
    var alert = document.createElement("div");
    alert.className = "alert alert-" + (level || "danger") + " alert-dismissible";
    alert.setAttribute("role", "alert");
    var body = document.createElement("div");
    body.textContent = text;
    var close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close";
    close.setAttribute("data-bs-dismiss", "alert");
    close.setAttribute("aria-label", message("close", "Close"));
    alert.appendChild(body);
    alert.appendChild(close);
    box.appendChild(alert);
  }
  Shangyou.showAlert = showAlert;

  // Dismissable alerts; Bootstrap handles this when loaded, this is the fallback.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest('.alert [data-bs-dismiss="alert"]');
    if (!button || window.bootstrap) return;
    event.preventDefault();
    var alert = button.closest(".alert");
    if (alert) alert.remove();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (!button) return;
    event.preventDefault();
    window.print();
  });

  /* --- confirm before submitting -------------------------------------------------------- */
  // Capture phase, so a refusal also stops HTMX and other submit handlers.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      var submitter = event.submitter;
      var text =
        (submitter && submitter.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (text && !window.confirm(text)) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );
  document.addEventListener(
    "click",
    function (event) {
      var link = event.target.closest && event.target.closest("a[data-confirm]");
      if (link && !window.confirm(link.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
    },
    true
  );

  /* --- auto-submitting selects ---------------------------------------------------------- */
  function initAutosubmit(select) {
    if (!once(select, "Autosubmit")) return;
    var form = select.form;
    if (!form) return;
    each(form, 'button[type="submit"], input[type="submit"]', function (button) {
      if (!button.hasAttribute("data-keep-visible")) button.hidden = true;
    });
    select.addEventListener("change", function () {
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.submit();
    });
  }

  /* --- Tom Select ----------------------------------------------------------------------- */
  function initTomSelect(select) {
    if (typeof window.TomSelect !== "function" || select.tomselect) return;
    var url = select.getAttribute("data-tom-select-url");
    var options = {
      allowEmptyOption: true,
      create: select.hasAttribute("data-tom-select-create"),
      maxOptions: 200,
      plugins: select.multiple ? ["remove_button"] : [],
      render: {
        no_results: function () {
          var div = document.createElement("div");
          div.className = "no-results";
          div.textContent = message("no-results", "No results");
          return div;
        },
      },
    };
    if (url) {
      options.valueField = "value";
      options.labelField = "text";
      options.searchField = ["text"];
      options.shouldLoad = function (query) {
        return query.length > 0;
      };
      options.load = function (query, callback) {
        var target = url + (url.indexOf("?") === -1 ? "?" : "&") + "q=" + encodeURIComponent(query);
        fetch(target, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) {
            return response.ok ? response.json() : [];
          })
          .then(function (data) {
            callback(Array.isArray(data) ? data : data.results || data.items || []);
          })
          .catch(function () {
            callback();
          });
      };
    }
    new window.TomSelect(select, options);
  }

  /* --- ECharts -------------------------------------------------------------------------- */
  var charts = [];

  function chart(el, option) {
    if (!window.echarts) {
      if (window.console) console.warn("Shangyou: echarts.min.js is not loaded on this page");
      return null;
    }
    var instance = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "canvas" });
    instance.setOption(option, true);
    if (charts.indexOf(instance) === -1) charts.push(instance);
    return instance;
  }
  Shangyou.chart = chart;

  function initChart(el) {
    if (!once(el, "Chart")) return;
    if (!el.style.height && !el.classList.contains("sy-chart")) el.classList.add("sy-chart");
    var inline = el.getAttribute("data-echarts-option");
    var scriptId = el.getAttribute("data-echarts-option-id");
    var url = el.getAttribute("data-echarts-url");
    try {
      if (inline) return chart(el, JSON.parse(inline));
      if (scriptId) {
        var source = document.getElementById(scriptId);
        if (source) return chart(el, JSON.parse(source.textContent));
      }
    } catch (error) {
      if (window.console) console.error("Shangyou: invalid chart option", error);
      return;
    }
    if (url) {
      el.setAttribute("aria-busy", "true");
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (option) {
          chart(el, option);
        })
        .catch(function () {
          el.textContent = message("request-failed", "The request failed.");
          el.classList.add("sy-chart-error");
        })
        .finally(function () {
          el.removeAttribute("aria-busy");
        });
    }
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () {
      charts.forEach(function (instance) {
        if (!instance.isDisposed()) instance.resize();
      });
    }, 150);
  });
  // Charts in tabs are sized when their tab is shown.
  document.addEventListener("shown.bs.tab", function () {
    charts.forEach(function (instance) {
      if (!instance.isDisposed()) instance.resize();
    });
  });

  /* --- HTMX ----------------------------------------------------------------------------- */
  function configureHtmx() {
    var htmx = window.htmx;
    if (!htmx) return;
    htmx.config.allowEval = false; // the CSP forbids eval anyway (no hx-on, no js: values)
    htmx.config.includeIndicatorStyles = false; // app.css styles .htmx-indicator
    htmx.config.selfRequestsOnly = true;
    htmx.config.historyCacheSize = 10;
    htmx.config.defaultSettleDelay = 0;

    document.body.addEventListener("htmx:configRequest", function (event) {
      // hx-headers on <body> carries the CSRF token; keep it on requests from detached elements.
      if (!event.detail.headers["X-CSRFToken"]) {
        var raw = document.body.getAttribute("hx-headers");
        try {
          var token = raw && JSON.parse(raw)["X-CSRFToken"];
          if (token) event.detail.headers["X-CSRFToken"] = token;
        } catch (error) {
          /* ignore */
        }
      }
    });
    document.body.addEventListener("htmx:responseError", function () {
      showAlert(message("request-failed", "The request failed. Please try again."), "danger");
    });
    document.body.addEventListener("htmx:sendError", function () {
      showAlert(message("network-error", "Cannot reach the server."), "danger");
    });
    document.body.addEventListener("htmx:beforeCleanupElement", function (event) {
      var el = event.target;
      if (window.echarts && el.hasAttribute && el.hasAttribute("_echarts_instance_")) {
        var instance = window.echarts.getInstanceByDom(el);
        if (instance) instance.dispose();
      }
      if (el.tomselect) el.tomselect.destroy();
    });
    htmx.onLoad(init);
  }

  /* --- live search boxes ----------------------------------------------------------------- */
  // A live search box has asked already, on `input`. Its `change`, fired when the focus
  // leaves it, would ask again through the form's `change` trigger — and when the focus left
  // because a result was clicked, the answer's history push cancelled the click's navigation:
  // the page stayed on the list. Stopped on its way down (capture), the form never sees it.
  document.addEventListener(
    "change",
    function (event) {
      var target = event.target;
      if (target.matches && target.matches("[data-live-search]")) event.stopPropagation();
    },
    true
  );

  /* --- start ---------------------------------------------------------------------------- */
  function init(root) {
    root = root || document;
    each(root, "select[data-autosubmit]", initAutosubmit);
    each(root, "select[data-tom-select]", initTomSelect);
    each(root, "[data-echarts-option], [data-echarts-option-id], [data-echarts-url]", initChart);
  }
  Shangyou.init = init;

  function start() {
    document.documentElement.classList.add("js");
    init(document);
    configureHtmx();
  }

  // This file is deferred: it runs before the deferred scripts after it (echarts.min.js in a
  // page's head block), so start on DOMContentLoaded, which fires once all of them have run.
  var started = false;
  function startOnce() {
    if (started) return;
    started = true;
    start();
  }
  if (document.readyState === "complete") startOnce();
  else {
    document.addEventListener("DOMContentLoaded", startOnce);
    window.addEventListener("load", startOnce);
  }
})();

/*
 * Conversations (network/conversation.html):
 *
 *   <form data-reset-on-success>        an HTMX form emptied after a successful request (not
 *                                       when the server answered with an error message).
 *   <div data-dedupe-children>          children with an id already present are dropped (a poll
 *                                       and a send may both bring the same new message).
 *   <div data-scroll-bottom>            kept scrolled to its end when content is added.
 */
(function () {
  "use strict";

  function tidy() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-dedupe-children]"), function (list) {
      var seen = {};
      Array.prototype.slice.call(list.children).forEach(function (child) {
        if (!child.id) return;
        if (seen[child.id]) child.remove();
        else seen[child.id] = true;
      });
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-scroll-bottom]"), function (box) {
      var count = box.querySelectorAll("[id]").length;
      if (box.dataset.syCount !== String(count)) {
        box.dataset.syCount = String(count);
        box.scrollTop = box.scrollHeight;
      }
    });
  }

  function start() {
    tidy();
    document.body.addEventListener("htmx:afterSettle", tidy);
    document.body.addEventListener("htmx:oobAfterSwap", tidy);
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var form = event.detail && event.detail.elt;
      if (!form || !form.matches || !form.matches("form[data-reset-on-success]")) return;
      var xhr = event.detail.xhr;
      if (event.detail.successful && !(xhr && xhr.getResponseHeader("HX-Retarget"))) form.reset();
    });
  }

  // This file is deferred: it runs before the deferred scripts after it (echarts.min.js in a
  // page's head block), so start on DOMContentLoaded, which fires once all of them have run.
  var started = false;
  function startOnce() {
    if (started) return;
    started = true;
    start();
  }
  if (document.readyState === "complete") startOnce();
  else {
    document.addEventListener("DOMContentLoaded", startOnce);
    window.addEventListener("load", startOnce);
  }
})();

/*
 * Customer pages (contacts/*.html):
 *
 *   <input type="checkbox" data-check-all="ids">   ticks or clears every checkbox named "ids" in
 *                                                   its form (bulk actions on the list).
 *   <a data-bs-toggle="tab" href="#tab-x">         the tab named by the address's #fragment is
 *                                                   opened on load (links back to a tab).
 */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[type=checkbox][data-check-all]")) return;
    var scope = box.form || document;
    var name = box.getAttribute("data-check-all");
    Array.prototype.forEach.call(scope.querySelectorAll('input[type=checkbox][name="' + name + '"]'), function (other) {
      other.checked = box.checked;
    });
  });

  function openTabFromHash() {
    var hash = window.location.hash;
    if (!hash || hash.length < 2 || !/^#[\w-]+$/.test(hash)) return;
    var link = document.querySelector('[data-bs-toggle="tab"][href="' + hash + '"]');
    if (!link) return;
    if (window.bootstrap && window.bootstrap.Tab) window.bootstrap.Tab.getOrCreateInstance(link).show();
    else link.click();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", openTabFromHash);
  else openTabFromHash();
  window.addEventListener("hashchange", openTabFromHash);
})();
