/**
 * The API key: asked for once, kept in sessionStorage (this tab only, gone
 * when it closes), checked against the API before the dashboard starts, and
 * asked for again — with the reason — when the node refuses it. A key in the
 * URL's fragment (`/#key=vgk_…`, never sent to the server) is taken and
 * removed from the address bar, so the link `vigil start` prints just works.
 */
const STORAGE = "vigil.apiKey";

export function storedKey() {
  const fromHash = /(?:^#|&)key=([^&]+)/.exec(location.hash);
  if (fromHash !== null) {
    sessionStorage.setItem(STORAGE, decodeURIComponent(fromHash[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }
  return sessionStorage.getItem(STORAGE) ?? "";
}

export function forgetKey() {
  sessionStorage.removeItem(STORAGE);
}

/**
 * Shows the dialog with `message` until a key the API accepts is entered;
 * `check(key)` resolves to undefined when accepted, or to the reason it was not.
 */
export function askForKey(message, check) {
  const dialog = document.getElementById("key-dialog");
  const form = document.getElementById("key-form");
  const input = document.getElementById("key-input");
  const text = document.getElementById("key-message");
  const say = (line, error) => {
    text.textContent = line;
    text.classList.toggle("error", error);
  };
  say(message, message !== "");
  if (message === "") say("This dashboard needs an API key.", false);
  return new Promise((resolve) => {
    const submit = async (event) => {
      event.preventDefault();
      const key = input.value.trim();
      if (key === "") return say("Enter a key.", true);
      say("Checking…", false);
      const problem = await check(key);
      if (problem !== undefined) {
        say(problem, true);
        input.select();
        return;
      }
      sessionStorage.setItem(STORAGE, key);
      form.removeEventListener("submit", submit);
      dialog.close();
      resolve(key);
    };
    form.addEventListener("submit", submit);
    dialog.addEventListener("cancel", (event) => event.preventDefault());
    if (!dialog.open) dialog.showModal();
    input.focus();
  });
}
