/*
 * Passkey ceremonies of the hosted pages (served same-origin; no inline script anywhere). A form
 * with data-passkey="register" or "authenticate" runs the ceremony when submitted: it fetches its
 * options (data-options), asks the browser (through @simplewebauthn/browser), puts the answer in the
 * hidden "response" field and posts the form. data-autofill="true" also offers the passkeys in the
 * username field's autofill (conditional UI) where the browser supports it.
 */
(() => {
  const lib = window.SimpleWebAuthnBrowser;
  const forms = document.querySelectorAll('form[data-passkey]');
  if (!lib?.browserSupportsWebAuthn()) {
    for (const form of forms) {
      const note = form.querySelector('[data-unsupported]');
      if (note) note.hidden = false;
      for (const b of form.querySelectorAll('button')) b.disabled = true;
    }
    return;
  }
  const fail = (form, err) => {
    if (err && err.name === 'AbortError') return;
    const box = form.querySelector('[data-error]');
    if (box) {
      box.textContent = box.dataset.error;
      box.hidden = false;
    }
  };
  const run = async (form, autofill) => {
    const res = await fetch(form.dataset.options, {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    if (!res.ok) throw new Error(`options: ${res.status}`);
    const { ceremonyId, options } = await res.json();
    const answer =
      form.dataset.passkey === 'register'
        ? await lib.startRegistration({ optionsJSON: options })
        : await lib.startAuthentication({ optionsJSON: options, useBrowserAutofill: autofill });
    form.elements.ceremony.value = ceremonyId;
    form.elements.response.value = JSON.stringify(answer);
    form.submit();
  };
  for (const form of forms) {
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      run(form, false).catch((err) => fail(form, err));
    });
    if (form.dataset.autofill === 'true' && lib.browserSupportsWebAuthnAutofill)
      lib.browserSupportsWebAuthnAutofill().then((ok) => {
        if (ok) run(form, true).catch(() => {});
      });
  }
})();
