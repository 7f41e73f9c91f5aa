// Passkey ceremonies for the hosted pages: the one script they load. A form with
// data-passkey="create" or "get" carries the server's WebAuthn options (JSON) in
// data-options; on submit this asks the browser (navigator.credentials), puts the answer as
// JSON into the form's "credential" field and posts the form normally. Without this script (or
// without WebAuthn) the form stays hidden and the page's <noscript>/fallback text shows.
(function () {
  "use strict";
  function toBytes(b64url) {
    var b64 = b64url.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64), out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }
  function toB64url(buffer) {
    var bytes = new Uint8Array(buffer), s = "";
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function decodeIds(list) {
    return (list || []).map(function (c) {
      var copy = Object.assign({}, c);
      copy.id = toBytes(c.id);
      return copy;
    });
  }
  function credentialJson(cred) {
    var r = cred.response, response = { clientDataJSON: toB64url(r.clientDataJSON) };
    if (r.attestationObject) { response.attestationObject = toB64url(r.attestationObject); }
    if (r.authenticatorData) { response.authenticatorData = toB64url(r.authenticatorData); }
    if (r.signature) { response.signature = toB64url(r.signature); }
    if (r.userHandle) { response.userHandle = toB64url(r.userHandle); }
    return JSON.stringify({
      id: cred.id, rawId: toB64url(cred.rawId), type: cred.type, response: response,
      extensions: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {}
    });
  }
  function run(form, status) {
    var options = JSON.parse(form.getAttribute("data-options")).publicKey;
    options.challenge = toBytes(options.challenge);
    var ask;
    if (form.getAttribute("data-passkey") === "create") {
      options.user.id = toBytes(options.user.id);
      options.excludeCredentials = decodeIds(options.excludeCredentials);
      ask = navigator.credentials.create({ publicKey: options });
    } else {
      options.allowCredentials = decodeIds(options.allowCredentials);
      ask = navigator.credentials.get({ publicKey: options });
    }
    return ask.then(function (cred) {
      form.querySelector("input[name=credential]").value = credentialJson(cred);
      form.submit();
    }, function (err) {
      status.textContent = "The passkey was not used (" + err.name + "). Try again, or choose another way to sign in.";
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-passkey]");
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        var status = document.getElementById(form.getAttribute("data-status"));
        if (!window.PublicKeyCredential || !navigator.credentials) {
          if (status) { status.textContent = "This browser cannot use passkeys. Choose another way to sign in."; }
          return;
        }
        form.hidden = false;
        form.addEventListener("submit", function (event) {
          if (form.querySelector("input[name=credential]").value) { return; }
          event.preventDefault();
          run(form, status);
        });
      })(forms[i]);
    }
  });
})();
