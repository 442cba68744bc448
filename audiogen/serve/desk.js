// The desk's own script: play a sentence or a word of the narration, fill the word of a
// pronunciation from the text selected in a sentence, and hear a sentence said with a
// rule before saving it. No third-party code; the page's forms work without it.
"use strict";

const narration = document.getElementById("narration");
let stopAt = null;

if (narration) {
  narration.addEventListener("timeupdate", () => {
    if (stopAt !== null && narration.currentTime >= stopAt) {
      narration.pause();
      stopAt = null;
    }
  });
}

document.addEventListener("click", (event) => {
  const button = event.target.closest("button.play");
  if (!button || !narration) return;
  const start = Number(button.dataset.start) / 1000;
  const end = Number(button.dataset.end) / 1000;
  narration.currentTime = Math.max(0, start - 0.1);
  stopAt = end > start ? end + 0.15 : null;
  narration.play();
});

// the word of a rule: what was last selected in the sentence, when its form is opened
// (opening it moves the selection, so the choice is kept as it is made)
let chosen = null;
function remember() {
  const selection = window.getSelection();
  const text = String(selection || "").trim();
  const node = selection && selection.anchorNode;
  const said = node && (node.nodeType === 1 ? node : node.parentElement).closest(".said");
  if (text && said) chosen = { item: said.closest("li[data-index]"), text };
}
document.addEventListener("selectionchange", remember);
// before a click or a key on "Say a word differently" moves the selection away
document.addEventListener("mousedown", (event) => { if (event.target.closest("summary")) remember(); }, true);
document.addEventListener("keydown", (event) => { if (event.target.closest("summary")) remember(); }, true);

function fill(details) {
  const item = details.closest("li[data-index]");
  const word = details.querySelector("input.word");
  if (item && word && chosen && chosen.item === item && !word.value) {
    word.value = chosen.text.replace(/^[^\w]+|[^\w]+$/g, "");
  }
  return word;
}
// filled as the form opens (the click), focused once it is open (the toggle)
document.addEventListener("click", (event) => {
  const summary = event.target.closest("summary");
  if (summary && !summary.parentElement.open) fill(summary.parentElement);
});
document.addEventListener("toggle", (event) => {
  const details = event.target;
  if (!(details instanceof HTMLDetailsElement) || !details.open) return;
  const word = fill(details);
  if (word) word.focus();
}, true);

document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.hear");
  if (!button) return;
  const form = button.closest("form");
  const status = form.querySelector(".preview-status");
  if (!form.reportValidity()) return;
  status.textContent = "Saying it…";
  button.disabled = true;
  try {
    const body = new URLSearchParams(new FormData(form));
    const answer = await fetch(form.dataset.preview, { method: "POST", body, credentials: "same-origin" });
    if (!answer.ok) {
      status.textContent = (await answer.text()) || "It could not be said.";
      return;
    }
    const url = URL.createObjectURL(await answer.blob());
    let player = form.querySelector("audio");
    if (!player) {
      player = document.createElement("audio");
      player.controls = true;
      player.setAttribute("aria-label", "The sentence said with this rule");
      form.append(player);
    }
    player.src = url;
    status.textContent = "Here is the sentence said so.";
    await player.play().catch(() => {});
  } catch (error) {
    status.textContent = "The service did not answer.";
  } finally {
    button.disabled = false;
  }
});
