// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  // Shared with the page scripts loaded after this one (command bar).
  window.crm = Object.assign(window.crm || {}, { csrfToken: csrfToken });

  // Mobile navigation toggle.
  document.addEventListener("click", function (event) {
    const toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    const sidebar = document.getElementById("sidebar");
    const open = sidebar.classList.toggle("open");
    toggle.setAttribute("aria-expanded", String(open));
  });

  // Confirmation for destructive buttons.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });

  // Filters that apply on change.
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-autosubmit]")) event.target.form.submit();
  });

  // Live job progress: poll the job API until the job finishes.
  function renderResult(container, job) {
    container.textContent = "";
    if (job.status === "failed") {
      container.textContent = job.error || "The job failed.";
      return;
    }
    if (job.status !== "succeeded" || !job.result) return;
    const summary = document.createElement("p");
    const parts = [];
    for (const key of ["rows", "created", "updated", "failed"]) {
      if (key in job.result) parts.push(key + ": " + job.result[key]);
    }
    summary.textContent = parts.join(" · ");
    container.appendChild(summary);
    if (Array.isArray(job.result.errors) && job.result.errors.length) {
      const list = document.createElement("ul");
      job.result.errors.slice(0, 20).forEach(function (error) {
        const item = document.createElement("li");
        item.textContent = "Row " + error.row + (error.column ? " (" + error.column + ")" : "") + ": " + error.message;
        list.appendChild(item);
      });
      container.appendChild(list);
    }
    if (container.dataset.doneUrl) {
      const link = document.createElement("a");
      link.href = container.dataset.doneUrl;
      link.className = "btn btn-small";
      link.textContent = container.dataset.doneLabel || "Refresh";
      container.appendChild(link);
    }
  }

  function watchJob(element) {
    const url = element.dataset.jobUrl;
    const bar = element.querySelector(".progress-bar");
    const progress = element.querySelector(".progress");
    const status = element.querySelector(".job-status");
    const result = element.querySelector(".job-result");
    let delay = 500;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json", "X-CSRFToken": csrfToken() } })
        .then(function (response) { return response.json().then(function (body) { return { ok: response.ok, body: body }; }); })
        .then(function (reply) {
          if (!reply.ok) { status.textContent = "unavailable"; result.textContent = reply.body.detail || ""; return; }
          const job = reply.body;
          bar.style.width = job.progress + "%";
          progress.setAttribute("aria-valuenow", job.progress);
          status.textContent = job.status;
          status.className = "job-status badge badge-" + job.status;
          renderResult(result, job);
          if (job.status === "queued" || job.status === "running") {
            delay = Math.min(delay * 1.5, 4000);
            setTimeout(poll, delay);
          }
        })
        .catch(function () { setTimeout(poll, 4000); });
    }
    poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-job-url]").forEach(watchJob);
  });
})();
