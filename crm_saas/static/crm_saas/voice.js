// The voice note recorder: MediaRecorder in the browser, uploaded to /api/v1/voice/logs/ with the
// session (and its CSRF token). Every page that shows it also has a plain upload form, so nothing
// depends on this script or on microphone access.
(function () {
  "use strict";

  // What the server accepts, in the order we prefer to record (Opus is small and clear for speech).
  const MIME_TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];
  const EXTENSIONS = { "audio/webm": "webm", "audio/ogg": "ogg", "audio/mp4": "m4a" };

  function csrfToken(root) {
    const field = root.closest("form") && root.closest("form").querySelector("[name=csrfmiddlewaretoken]");
    if (field && field.value) return field.value;
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function clock(seconds) {
    const whole = Math.floor(seconds);
    return Math.floor(whole / 60) + ":" + String(whole % 60).padStart(2, "0");
  }

  function supported() {
    return Boolean(window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia);
  }

  function chosenMimeType() {
    if (typeof MediaRecorder.isTypeSupported !== "function") return "";
    return MIME_TYPES.find(function (type) { return MediaRecorder.isTypeSupported(type); }) || "";
  }

  function microphoneMessage(error) {
    const name = error && error.name;
    if (name === "NotAllowedError" || name === "SecurityError") {
      return "Microphone access was denied. Allow it in your browser's site settings, or upload a file instead.";
    }
    if (name === "NotFoundError" || name === "OverconstrainedError") {
      return "No microphone was found. Connect one, or upload a file instead.";
    }
    if (name === "NotReadableError") {
      return "The microphone is in use by another application.";
    }
    return "The microphone could not be started" + (error && error.message ? ": " + error.message : ".");
  }

  function Recorder(root) {
    this.root = root;
    this.button = root.querySelector("[data-voice-toggle]");
    this.label = root.querySelector("[data-voice-label]");
    this.elapsed = root.querySelector("[data-voice-elapsed]");
    this.level = root.querySelector("[data-voice-level]");
    this.status = root.querySelector("[data-voice-status]");
    this.maxSeconds = Number(root.dataset.maxSeconds) || 900;
    this.state = "idle";
    this.button.addEventListener("click", this.toggle.bind(this));
  }

  Recorder.prototype.say = function (message, isError) {
    this.status.textContent = message;
    this.status.classList.toggle("error", Boolean(isError));
    this.status.setAttribute("role", isError ? "alert" : "status");
  };

  Recorder.prototype.setState = function (state) {
    this.state = state;
    const recording = state === "recording";
    this.root.classList.toggle("is-recording", recording);
    this.button.setAttribute("aria-pressed", String(recording));
    this.button.disabled = state === "starting" || state === "uploading";
    this.button.classList.toggle("btn-danger-solid", recording);
    this.label.textContent = recording ? "Stop" : state === "uploading" ? "Uploading…" : "Record";
  };

  Recorder.prototype.toggle = function () {
    if (this.state === "recording") this.stop();
    else if (this.state === "idle") this.start();
  };

  Recorder.prototype.start = function () {
    const self = this;
    self.setState("starting");
    self.say("Waiting for the microphone…");
    navigator.mediaDevices
      .getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } })
      .then(function (stream) {
        self.stream = stream;
        const mimeType = chosenMimeType();
        self.recorder = mimeType ? new MediaRecorder(stream, { mimeType: mimeType }) : new MediaRecorder(stream);
        self.chunks = [];
        self.recorder.addEventListener("dataavailable", function (event) {
          if (event.data && event.data.size) self.chunks.push(event.data);
        });
        self.recorder.addEventListener("stop", self.finish.bind(self));
        self.recorder.start(1000);
        self.startedAt = performance.now();
        self.meter(stream);
        self.timer = window.setInterval(self.tick.bind(self), 250);
        self.setState("recording");
        self.say("Recording… press Stop when you are done.");
      })
      .catch(function (error) {
        self.setState("idle");
        self.say(microphoneMessage(error), true);
      });
  };

  Recorder.prototype.tick = function () {
    const seconds = (performance.now() - this.startedAt) / 1000;
    this.elapsed.textContent = clock(seconds);
    if (seconds >= this.maxSeconds) {
      this.say("That is the longest note allowed; it stopped by itself.");
      this.stop();
    }
  };

  Recorder.prototype.meter = function (stream) {
    const AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!AudioContext || !this.level) return;
    const self = this;
    try {
      self.audioContext = new AudioContext();
      const analyser = self.audioContext.createAnalyser();
      analyser.fftSize = 512;
      self.audioContext.createMediaStreamSource(stream).connect(analyser);
      const samples = new Uint8Array(analyser.fftSize);
      const draw = function () {
        if (self.state !== "recording" && self.state !== "starting") return;
        analyser.getByteTimeDomainData(samples);
        let peak = 0;
        for (let i = 0; i < samples.length; i += 1) peak = Math.max(peak, Math.abs(samples[i] - 128));
        self.level.style.width = Math.min(100, Math.round((peak / 128) * 140)) + "%";
        self.frame = window.requestAnimationFrame(draw);
      };
      draw();
    } catch (error) {
      self.audioContext = null;  // the level meter is optional; recording goes on without it
    }
  };

  Recorder.prototype.stop = function () {
    if (!this.recorder || this.recorder.state === "inactive") return;
    window.clearInterval(this.timer);
    this.recorder.stop();
  };

  Recorder.prototype.release = function () {
    if (this.stream) this.stream.getTracks().forEach(function (track) { track.stop(); });
    if (this.audioContext) this.audioContext.close();
    if (this.frame) window.cancelAnimationFrame(this.frame);
    if (this.level) this.level.style.width = "0%";
    this.stream = null;
    this.audioContext = null;
  };

  Recorder.prototype.finish = function () {
    this.release();
    const type = (this.recorder.mimeType || "audio/webm").split(";")[0];
    const blob = new Blob(this.chunks, { type: type });
    this.chunks = [];
    if (!blob.size) {
      this.setState("idle");
      this.say("Nothing was recorded; check the microphone and try again.", true);
      return;
    }
    this.upload(blob, type);
  };

  Recorder.prototype.leadId = function () {
    if (this.root.dataset.lead) return this.root.dataset.lead;
    const select = this.root.dataset.leadSelect && document.querySelector(this.root.dataset.leadSelect);
    return select ? select.value : "";
  };

  Recorder.prototype.upload = function (blob, type) {
    const self = this;
    self.setState("uploading");
    self.say("Uploading the recording…");
    const body = new FormData();
    body.append("audio", blob, "recording." + (EXTENSIONS[type] || "webm"));
    body.append("kind", "note");
    const lead = self.leadId();
    if (lead) body.append("lead", lead);
    fetch(self.root.dataset.uploadUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(self.root) },
    })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (reply) {
          return { ok: response.ok, status: response.status, body: reply };
        });
      })
      .then(function (reply) {
        if (!reply.ok) {
          const errors = reply.body.errors || {};
          const first = Object.keys(errors).map(function (key) { return errors[key][0]; })[0];
          self.setState("idle");
          self.say(first || reply.body.detail || "The upload failed (HTTP " + reply.status + ").", true);
          return;
        }
        self.say("Uploaded. Transcribing…");
        const next = self.root.dataset.next || window.location.pathname;
        const target = new URL(next, window.location.href);
        if (target.pathname === window.location.pathname && target.search === window.location.search) {
          window.location.hash = target.hash;
          window.location.reload();
        } else {
          window.location.assign(target.href);
        }
      })
      .catch(function () {
        self.setState("idle");
        self.say("The upload failed: the server could not be reached. Try again.", true);
      });
  };

  // A note being transcribed shows the job's live progress (app.js); once it finishes, reload so
  // its transcript (or the reason it failed) appears where the progress bar was.
  function reloadWhenTranscribed(status) {
    const observer = new MutationObserver(function () {
      if (status.textContent === "succeeded" || status.textContent === "failed") {
        observer.disconnect();
        window.setTimeout(function () { window.location.reload(); }, 400);
      }
    });
    observer.observe(status, { childList: true, characterData: true, subtree: true });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".voice-note .job-status").forEach(reloadWhenTranscribed);
    document.querySelectorAll("[data-voice-recorder]").forEach(function (root) {
      if (root.dataset.voiceReady) return;
      root.dataset.voiceReady = "1";
      if (!supported()) {
        const note = root.parentElement.querySelector("[data-voice-unsupported]");
        if (note) note.hidden = false;
        return;
      }
      root.hidden = false;
      new Recorder(root);
    });
  });
})();
