// Progressive enhancement only: the page works without this file.
// "Copy JSON" appears when scripts run; Download JSON is a plain form post.
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("copy-json");
  var source = document.getElementById("result-json");
  var status = document.getElementById("copy-status");
  if (!button || !source) return;
  button.hidden = false;

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
    document.body.removeChild(area);
    return ok;
  }

  button.addEventListener("click", function () {
    var text = source.textContent;
    var done = function (ok) {
      if (status) status.textContent = ok ? "JSON copied." : "Could not copy: open \u201cShow the result as JSON\u201d and copy it.";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(fallbackCopy(text)); });
    } else {
      done(fallbackCopy(text));
    }
  });
});
