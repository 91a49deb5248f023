// The query page with the YASGUI build: one editor talking to this server's /sparql, nothing else.
// Autocompletion of classes and properties is off (it would ask an outside service); well-known prefixes
// the query uses without declaring them are added to it as it is typed (the plain editor does the same
// on the server).
(function () {
  "use strict";
  var element = document.getElementById("yasgui");
  if (!element || typeof Yasgui === "undefined") {
    return;
  }
  var endpoint = new URL(element.dataset.endpoint, window.location.href).toString();
  var prefixes = JSON.parse(element.dataset.prefixes || "{}");
  var yasgui = new Yasgui(element, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    endpointCatalogueOptions: {
      getData: function () {
        return [{ endpoint: endpoint }];
      },
    },
    yasqe: { autocompleters: ["prefixes", "variables"], prefixCcApi: null, resizeable: true },
  });
  var tab = yasgui.getTab();
  var yasqe = tab.getYasqe();
  if (element.dataset.query) {
    yasqe.setValue(element.dataset.query);
  }

  // Same rules as sparql_api/web/query.py: prefixed names outside IRIs, strings and comments.
  function missingPrefixes(text) {
    var declared = {};
    text.replace(/^\s*PREFIX\s+([A-Za-z][\w.-]*)?:/gim, function (_, name) {
      declared[name || ""] = true;
      return "";
    });
    var body = text
      .replace(/<[^<>\s]*>|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|#[^\n]*/g, " ")
      .replace(/^\s*PREFIX[^\n]*/gim, " ");
    var missing = {};
    var pattern = /(^|[^\w<"'?$:.-])([A-Za-z][\w-]*):(?!\/\/)/g;
    var match;
    while ((match = pattern.exec(body)) !== null) {
      var name = match[2];
      if (prefixes[name] && !declared[name]) {
        missing[name] = prefixes[name];
      }
    }
    return missing;
  }

  function addMissing() {
    var missing = missingPrefixes(yasqe.getValue());
    if (Object.keys(missing).length > 0) {
      yasqe.addPrefixes(missing);
    }
  }

  var timer = null;
  yasqe.on("change", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(addMissing, 400);
  });
  addMissing();
  window.algokgYasgui = yasgui; // for the browser tests
})();
