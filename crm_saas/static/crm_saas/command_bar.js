/* The command bar: type or speak a command, see what was understood, confirm or cancel, hear the reply. */
(function () {
  "use strict";

  const MAX_RECORD_MS = 12000;
  const POLL_MS = 700;

  function request(url, options) {
    const init = Object.assign({ credentials: "same-origin" }, options || {});
    init.headers = Object.assign({ Accept: "application/json", "X-CSRFToken": window.crm.csrfToken() }, init.headers || {});
    return fetch(url, init).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        if (!response.ok) {
          const detail = body && body.detail ? body.detail : "Something went wrong (" + response.status + ").";
          const fields = body && body.errors ? Object.values(body.errors).flat().join(" ") : "";
          throw new Error(fields && fields !== detail ? detail + " " + fields : detail);
        }
        return body;
      });
    });
  }

  function setup(form) {
    const endpoint = form.dataset.endpoint;
    const input = form.querySelector("[data-command-text]");
    const mic = form.querySelector("[data-command-mic]");
    const micLabel = form.querySelector("[data-command-mic-label]");
    const panel = document.querySelector("[data-command-panel]");
    const heard = panel.querySelector("[data-command-heard]");
    const reply = panel.querySelector("[data-command-reply]");
    const results = panel.querySelector("[data-command-results]");
    const choices = panel.querySelector("[data-command-choices]");
    const actions = panel.querySelector("[data-command-actions]");
    const details = panel.querySelector("[data-command-details]");
    const json = panel.querySelector("[data-command-json]");
    const audio = panel.querySelector("[data-command-audio]");
    let current = null;
    let recorder = null;

    function show(text, state) {
      panel.hidden = false;
      panel.dataset.state = state || "";
      reply.textContent = text;
    }

    function speak(command) {
      if (!command.reply) { return; }
      audio.src = endpoint + command.id + "/reply-audio/";
      audio.play().catch(function () { /* autoplay refused: the text reply is on screen */ });
    }

    function link(href, text) {
      const anchor = document.createElement("a");
      anchor.href = href;
      anchor.textContent = text;
      return anchor;
    }

    function render(command) {
      current = command;
      panel.dataset.status = command.status;
      heard.textContent = command.text ? "“" + command.text + "”" : "";
      show(command.reply || "", command.status);
      results.replaceChildren();
      choices.replaceChildren();
      const action = command.action || {};
      const entities = action.entities || {};
      const result = command.result || {};
      (result.leads || []).forEach(function (lead) {
        const item = document.createElement("li");
        item.appendChild(link("/leads/" + lead.id + "/", lead.label));
        if (lead.score !== null && lead.score !== undefined) {
          const score = document.createElement("span");
          score.className = "band band-" + lead.band;
          score.textContent = lead.band + " " + lead.score;
          item.append(" ", score);
        }
        results.appendChild(item);
      });
      if (command.status === "executed" && result.lead_id) {
        const item = document.createElement("li");
        item.appendChild(link("/leads/" + result.lead_id + "/", "Open the lead"));
        results.appendChild(item);
      }
      [["lead_candidates", "lead_id"], ["user_candidates", "user_id"]].forEach(function (pair) {
        (entities[pair[0]] || []).forEach(function (candidate) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "btn btn-small";
          button.textContent = candidate.label;
          button.addEventListener("click", function () {
            const picked = {};
            picked[pair[1]] = candidate.id;
            confirm(picked);
          });
          choices.appendChild(button);
        });
      });
      actions.hidden = command.status !== "awaiting_confirmation";
      details.hidden = !command.action;
      json.textContent = command.action ? JSON.stringify(command.action, null, 2) : "";
      if (command.status !== "transcribing") { speak(command); }
      if (!actions.hidden) { panel.querySelector("[data-command-confirm]").focus(); }
    }

    function poll(command) {
      if (command.status !== "transcribing") { render(command); return; }
      render(command);
      setTimeout(function () {
        request(endpoint + command.id + "/").then(poll).catch(function (error) { show(error.message, "error"); });
      }, POLL_MS);
    }

    function confirm(entities) {
      if (!current) { return; }
      show("Working…", "busy");
      request(endpoint + current.id + "/confirm/", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(entities ? { entities: entities } : {}),
      }).then(render).catch(function (error) { show(error.message, "error"); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const text = input.value.trim();
      if (!text) { input.focus(); return; }
      show("Thinking…", "busy");
      request(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: text }),
      }).then(function (command) { input.value = ""; render(command); })
        .catch(function (error) { show(error.message, "error"); });
    });

    panel.querySelector("[data-command-confirm]").addEventListener("click", function () { confirm(null); });
    panel.querySelector("[data-command-cancel]").addEventListener("click", function () {
      if (!current) { return; }
      request(endpoint + current.id + "/cancel/", { method: "POST" }).then(render)
        .catch(function (error) { show(error.message, "error"); });
    });
    panel.querySelector("[data-command-close]").addEventListener("click", function () {
      panel.hidden = true;
      audio.pause();
    });

    function setRecording(on) {
      mic.setAttribute("aria-pressed", on ? "true" : "false");
      mic.classList.toggle("recording", on);
      micLabel.textContent = on ? "Stop and send" : "Speak a command";
    }

    function upload(blob) {
      const body = new FormData();
      const type = (blob.type || "audio/webm").split(";")[0];
      body.append("audio", blob, "command." + (type.split("/")[1] || "webm"));
      show("Transcribing…", "busy");
      request(endpoint, { method: "POST", body: body }).then(poll)
        .catch(function (error) { show(error.message, "error"); });
    }

    mic.addEventListener("click", function () {
      if (recorder && recorder.state === "recording") { recorder.stop(); return; }
      if (!navigator.mediaDevices || !window.MediaRecorder) {
        show("This browser cannot record audio here. Type the command instead.", "error");
        return;
      }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        const chunks = [];
        const preferred = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm"];
        const mimeType = preferred.find(function (type) { return MediaRecorder.isTypeSupported(type); });
        recorder = new MediaRecorder(stream, mimeType ? { mimeType: mimeType } : undefined);
        recorder.addEventListener("dataavailable", function (event) { if (event.data.size) { chunks.push(event.data); } });
        recorder.addEventListener("stop", function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          setRecording(false);
          upload(new Blob(chunks, { type: recorder.mimeType || "audio/webm" }));
        });
        recorder.start();
        setRecording(true);
        show("Listening… click the microphone again when you are done.", "recording");
        setTimeout(function () { if (recorder && recorder.state === "recording") { recorder.stop(); } }, MAX_RECORD_MS);
      }).catch(function () {
        show("The microphone is not available (permission denied?). Type the command instead.", "error");
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-command-bar]").forEach(setup);
  });
})();
