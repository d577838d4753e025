/* Comments widget: upgrades the baked comments section in place. Vanilla JS, no build step.
 * Index pages: ONE GET /api/counts refreshes the baked "N comments". Articles: one GET
 * ?since=<baked last id> (and the fresh form token); newer comments are only announced on a
 * reserved line, inserted on "Show" (nothing moves unasked). Forms post as JSON with their own
 * fields; Reply links move the form; votes, reports, Preview, sorting and "Show all" work in
 * place; Edit/Delete on the reader's own comments (edit token in localStorage), Delete asking
 * first, then sent after UNDO_MS unless undone (at once when the page is left).
 * Without this script every form posts as plain HTML and the service sends the reader back.
 */
(function () {
  "use strict";
  if (!window.fetch) return;
  var UNDO_MS = 8000;

  function plural(n, word) { return n + " " + word + (n === 1 ? "" : "s"); }

  var counted = [].slice.call(document.querySelectorAll(".comment-count[data-thread]"), 0, 50);
  if (counted.length) {
    fetch(counted[0].dataset.api + "/counts?" + counted.map(function (node) {
      return "thread=" + encodeURIComponent(node.dataset.thread);
    }).join("&"), { headers: { Accept: "application/json" } }).then(function (response) {
      return response.ok ? response.json() : {};
    }).then(function (counts) {
      counted.forEach(function (node) {
        var n = counts[node.dataset.thread];
        if (typeof n === "number") node.firstElementChild.textContent = plural(n, "comment");
      });
    }, function () { /* the baked counts stay */ });
  }

  var section = document.getElementById("comments");
  var template = document.getElementById("comment-template");
  if (!section || !template) return;
  var form = document.getElementById("comment-form");
  var list = section.querySelector(".comment-list");
  var heading = document.getElementById("comments-title");
  var news = section.querySelector(".comment-news");
  var thread = "/threads/" + encodeURIComponent(section.dataset.thread) + "/comments";
  var count = Number(section.dataset.count) || 0;
  var lastTop = list ? list.lastElementChild.firstElementChild.dataset.id : 0;
  var STORE = "comments-edit", VOTES = "comments-votes";
  var order = "old", fresh = [], pending = {}, replying;

  function call(method, path, body, editToken, keepalive) {
    var headers = { Accept: "application/json" };
    if (body) headers["Content-Type"] = "application/json";
    if (editToken) headers.Authorization = "Bearer " + editToken;
    return fetch(section.dataset.api + path, {
      method: method, headers: headers, body: body && JSON.stringify(body), credentials: "same-origin", keepalive: !!keepalive
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, headers: response.headers, data: data };
      });
    }, function () {
      return { status: 0, data: { error: { message: "The comments service cannot be reached. Please try again." } } };
    });
  }
  function failure(result) { return (result.data.error || {}).message || "That did not work. Please try again."; }

  function load(key) {
    try { return JSON.parse(localStorage.getItem(key)) || {}; } catch (e) { return {}; }
  }
  function store(key, all) {
    try { localStorage.setItem(key, JSON.stringify(all)); } catch (e) { /* private mode */ }
  }
  /* Edit tokens: {id: {token, until, text}}, expired ones dropped on every save. */
  function remember(id, entry) {
    var all = load(STORE), now = Date.now();
    if (entry) all[id] = entry; else delete all[id];
    Object.keys(all).forEach(function (key) { if (Date.parse(all[key].until) < now) delete all[key]; });
    store(STORE, all);
  }
  function editable(id) {
    var entry = load(STORE)[id];
    return entry && Date.parse(entry.until) > Date.now() ? entry : null;
  }

  function say(target, message) {
    var status = target.querySelector(".comment-status");
    if (!status) {
      status = document.createElement("span");
      status.className = "comment-status";
      status.setAttribute("role", "status");
      target.appendChild(status);
    }
    status.textContent = message || "";
  }

  function button(label, action) {
    var node = document.createElement("button");
    node.type = "button";
    node.className = "comment-button";
    node.dataset.action = action;
    node.textContent = label;
    return node;
  }

  function local(iso) {
    return new Date(iso).toLocaleString(undefined, { dateStyle: "long", timeStyle: "short" });
  }

  function setCount(n) {
    count += n;
    heading.textContent = "Comments" + (count ? " (" + count + ")" : "");
  }

  /* aria-pressed on the reader's own vote, from localStorage or the service's answer. */
  function pressed(box, value) {
    var buttons = box.querySelectorAll("button");
    buttons[0].setAttribute("aria-pressed", value > 0);
    buttons[1].setAttribute("aria-pressed", value < 0);
  }

  /* Edit and Delete on the reader's own comments, while the thread is open and the window lasts. */
  function addControls(article) {
    var actions = article.querySelector(".comment-actions");
    var vote = article.querySelector(".comment-vote");
    if (vote) pressed(vote, load(VOTES)[article.dataset.id] || 0);
    if (form && actions && editable(article.dataset.id)) actions.append(button("Edit", "edit"), button("Delete", "delete"));
  }

  /* A deleted comment's placeholder: no text of its own (or a moderator's public reason). */
  function gone(comment) { return !comment.html || /^<p class="comment-deleted/.test(comment.html); }

  /* A comment from the API as the partial renders it (the markup comes from #comment-template). */
  function render(comment) {
    var box = document.createElement("template");
    box.innerHTML = template.innerHTML.split("__ID__").join(Number(comment.id));
    var item = box.content.firstElementChild;
    var article = item.firstElementChild;
    var meta = article.firstElementChild;
    var author = meta.firstElementChild;
    var time = meta.querySelector("time");
    var counts = article.querySelectorAll(".comment-vote .n");
    item.dataset.created = time.dateTime = comment.created;
    item.dataset.score = (comment.likes || 0) - (comment.dislikes || 0);
    time.textContent = local(comment.created);
    author.textContent = comment.author;
    if (/^https?:\/\//i.test(comment.website || "")) {
      var link = document.createElement("a");
      link.href = comment.website;
      link.rel = "nofollow ugc noopener";
      link.textContent = comment.author;
      author.replaceChildren(link);
    }
    if (comment.edited) {
      meta.insertAdjacentHTML("beforeend", ' · <span class="comment-edited">edited <time></time></span>');
      time = meta.lastChild.firstElementChild;
      time.dateTime = comment.edited;
      time.textContent = local(comment.edited);
    }
    var about = Number(comment.about_reference) || Number(comment.about_paragraph);
    if (about) {
      meta.insertAdjacentHTML("beforeend", ' · <a class="comment-about"></a>');
      meta.lastChild.href = "#" + section.dataset.thread + (comment.about_reference ? "-ref-" : "-p-") + about;
      meta.lastChild.textContent = comment.about_reference ? "on [" + about + "]" : "on paragraph " + about;
    }
    counts[0].textContent = comment.likes || 0;
    counts[1].textContent = comment.dislikes || 0;
    /* `html` is sanitised by the service (nh3 allow-list) before it is stored. */
    article.querySelector(".comment-body").innerHTML = comment.html || '<p class="comment-deleted">This comment was deleted.</p>';
    if (gone(comment)) article.querySelectorAll(".comment-actions, .comment-notice").forEach(function (node) { node.remove(); });
    addControls(article);
    return item;
  }

  /* Adds `comment` in its place (under its parent); false if the page has it already. */
  function insert(comment) {
    if (document.getElementById("comment-" + comment.id)) return false;
    var parent = comment.parent && document.getElementById("comment-" + comment.parent);
    if (!list) {
      list = document.createElement("ol");
      list.className = "comment-list";
      section.querySelector(".comments-empty").replaceWith(list);
    }
    var target = list;
    if (parent) {
      target = parent.parentNode.querySelector(":scope > .comment-replies");
      if (!target) {
        target = document.createElement("ol");
        target.className = "comment-replies";
        parent.parentNode.appendChild(target);
      }
    }
    target.appendChild(render(comment));
    return true;
  }

  /* Top-level comments by time (then id), or by score (likes - dislikes) then time. */
  function sort() {
    if (!list) return;
    var sign = order === "new" ? -1 : 1;
    [].slice.call(list.children).sort(function (a, b) {
      var x = a.dataset, y = b.dataset;
      return (order === "top" && y.score - x.score) ||
        sign * (x.created < y.created ? -1 : x.created > y.created ? 1 : a.firstElementChild.dataset.id - b.firstElementChild.dataset.id);
    }).forEach(function (item) { list.appendChild(item); });
  }

  function clearErrors() {
    form.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (field) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    });
  }

  /* The service's `fields` messages next to their fields, as its no-JS error page shows them. */
  function showErrors(error) {
    var first;
    Object.keys(error.fields || {}).forEach(function (name) {
      var field = form.elements[name];
      if (!field || !field.id) return;
      var note = document.createElement("span");
      note.className = "field-error";
      note.id = field.id + "-error";
      note.textContent = form.querySelector("label[for='" + field.id + "']").firstChild.textContent.trim() + " " + error.fields[name] + ".";
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", note.id);
      field.parentNode.appendChild(note);
      first = first || field;
    });
    say(form, error.message);
    if (first) first.focus();
  }

  function startReply(article) {
    form.elements.parent.value = article.dataset.id;
    replying.firstChild.textContent = "Replying to " + article.querySelector(".comment-author").textContent + " ";
    replying.hidden = false;
    article.after(form);
    form.elements.text.focus();
  }

  function endReply() {
    form.elements.parent.value = "";
    replying.hidden = true;
    section.querySelector(".comment-follow").before(form);
  }

  function submit() {
    var data = {};
    new FormData(form).forEach(function (value, name) { data[name] = value; });
    if (!data.about_reference) delete data.about_reference;
    var send = form.querySelector("[type=submit]");
    clearErrors();
    say(form, "Sending…");
    send.disabled = true;
    call("POST", thread, data).then(function (result) {
      send.disabled = false;
      if (result.status !== 201 && result.status !== 202) return showErrors(result.data.error || {});
      var comment = result.data.comment;
      remember(comment.id, { token: result.data.edit_token, until: result.data.editable_until, text: data.text });
      form.elements.text.value = "";
      form.elements.kind.checked = false;
      if (form.elements.about_reference) form.elements.about_reference.value = "";
      if (data.parent) endReply();
      if (result.status === 202) return say(form, "Thank you, your comment is held for moderation. It appears here once a moderator approves it.");
      if (insert(comment)) setCount(1);
      say(form, "Your comment is posted.");
      document.getElementById("comment-" + comment.id).focus();
    });
  }

  function vote(box, event) {
    var article = box.closest("article"), chosen = event.submitter || box.querySelector("button");
    var value = chosen.getAttribute("aria-pressed") === "true" ? 0 : chosen.value === "up" ? 1 : -1;
    call("POST", "/comments/" + article.dataset.id + "/vote", { value: value }).then(function (result) {
      if (result.status !== 200) return say(article.querySelector(".comment-actions"), failure(result));
      var votes = load(VOTES), counts = box.querySelectorAll(".n");
      counts[0].textContent = result.data.likes;
      counts[1].textContent = result.data.dislikes;
      article.parentNode.dataset.score = result.data.likes - result.data.dislikes;
      votes[article.dataset.id] = result.data.vote;
      store(VOTES, votes);
      pressed(box, result.data.vote);
    });
  }

  function report(box) {
    var article = box.closest("article");
    call("POST", "/comments/" + article.dataset.id + "/report", { reason: box.elements.reason.value }).then(function (result) {
      if (result.status !== 202) return say(box, failure(result));
      var thanks = document.createElement("p");
      thanks.setAttribute("role", "status");
      thanks.textContent = "Thank you: a moderator will look at this comment.";
      box.replaceWith(thanks);
    });
  }

  function edit(article) {
    var entry = editable(article.dataset.id);
    var body = article.querySelector(".comment-body");
    var editor = document.createElement("form");
    editor.className = "comment-editor";
    editor.innerHTML = '<label>Edit your comment <textarea name="text" rows="5" required></textarea></label>' +
      '<button type="submit">Save</button> <button type="button" class="comment-button" data-action="close">Cancel</button>' +
      '<span class="comment-status" role="status"></span>';
    editor.elements.text.value = entry ? entry.text : "";
    editor.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = editor.elements.text.value;
      call("PATCH", "/comments/" + article.dataset.id, { text: text }, entry && entry.token).then(function (result) {
        if (result.status !== 200 && result.status !== 202) return say(editor, failure(result));
        entry.text = text;
        remember(article.dataset.id, entry);
        body.innerHTML = result.data.comment.html;
        closeEditor(article);
        if (result.status === 202) say(form, "Your edit will show once a moderator has approved it.");
      });
    });
    body.hidden = true;
    body.after(editor);
    editor.elements.text.focus();
  }

  function closeEditor(article) {
    article.querySelector(".comment-editor").remove();
    article.querySelector(".comment-body").hidden = false;
    article.focus();
  }

  /* The inline question (or "Deleted. Undo") under a comment, replacing any earlier one. */
  function ask(article, text, choices) {
    var box = document.createElement("p");
    box.className = "comment-confirm";
    box.textContent = text;
    choices.forEach(function (choice) { box.append(" ", button(choice[0], choice[1])); });
    settle(article);
    article.appendChild(box);
    box.querySelector("button").focus();
  }
  function settle(article, focus) {
    var box = article.querySelector(".comment-confirm");
    if (box) box.remove();
    article.querySelector(".comment-body").hidden = article.querySelector(".comment-actions").hidden = false;
    if (focus) article.querySelector("[data-action=delete]").focus();
  }

  function remove(article, keepalive) {
    var id = article.dataset.id, entry = editable(id);
    clearTimeout(pending[id]);
    delete pending[id];
    if (form.parentNode === article.parentNode) endReply();
    call("DELETE", "/comments/" + id, null, entry && entry.token, keepalive).then(function (result) {
      if (result.status !== 200) return settle(article) || say(article.querySelector(".comment-actions"), failure(result));
      remember(id, null);
      setCount(-1);
      if (result.data.comment) article.replaceWith(render(result.data.comment).querySelector("article"));
      else article.parentNode.remove();
      say(form, "Your comment is deleted.");
    });
  }

  function showAll(article, link) {
    link.textContent = "Loading…";
    (function next(after) {
      call("GET", thread + "?limit=100&after=" + after).then(function (result) {
        if (result.status !== 200) return (link.textContent = failure(result));
        result.data.comments.forEach(insert);
        if (result.data.next) return next(result.data.next);
        link.parentNode.remove();
        sort();
      });
    })(lastTop);
  }

  function preview() {
    var box = form.querySelector(".comment-preview");
    if (!box) {
      box = document.createElement("div");
      box.className = "comment-preview";
      box.setAttribute("aria-live", "polite");
      form.elements.text.parentNode.after(box);
    }
    box.textContent = "Rendering…";
    call("POST", "/preview", { text: form.elements.text.value }).then(function (result) {
      var fields = (result.data.error || {}).fields || {};
      if (result.status !== 200) return (box.textContent = fields.text ? "Comment " + fields.text + "." : failure(result));
      box.innerHTML = result.data.html;  // rendered and sanitised by the service, as comments are
    });
  }

  var actions = {
    reply: startReply, edit: edit, close: closeEditor, more: showAll, preview: preview,
    cancel: function () { endReply(); form.elements.text.focus(); },
    "delete": function (article) { ask(article, "Delete this comment?", [["Yes", "yes"], ["No", "no"]]); },
    no: function (article) { settle(article, true); },
    yes: function (article) {
      ask(article, "Deleted.", [["Undo", "undo"]]);
      article.querySelector(".comment-body").hidden = article.querySelector(".comment-actions").hidden = true;
      pending[article.dataset.id] = setTimeout(remove, UNDO_MS, article);
    },
    undo: function (article) {
      clearTimeout(pending[article.dataset.id]);
      delete pending[article.dataset.id];
      settle(article, true);
    },
    show: function () {
      var first;
      fresh.forEach(function (comment) {
        if (insert(comment) && !gone(comment)) setCount(1);
        first = first || document.getElementById("comment-" + comment.id);
      });
      fresh = [];
      news.textContent = "";
      sort();
      if (first) first.focus();
    }
  };
  section.addEventListener("click", function (event) {
    var control = event.target.closest("[data-action]");
    if (!control || !actions[control.dataset.action] || (control.dataset.action === "reply" && !form)) return;
    event.preventDefault();
    actions[control.dataset.action](control.closest("article"), control);
  });
  section.addEventListener("submit", function (event) {
    var box = event.target;
    var handler = box === form ? submit : box.className === "comment-vote" ? vote : box.closest(".comment-report") ? report : null;
    if (!handler) return;
    event.preventDefault();
    handler(box, event);
  });
  /* A delete still waiting for its undo is sent as the reader leaves. */
  window.addEventListener("pagehide", function () {
    Object.keys(pending).forEach(function (id) { remove(document.getElementById("comment-" + id), true); });
  });

  section.querySelectorAll("time").forEach(function (time) { time.title = local(time.dateTime); });
  section.querySelectorAll("article.comment").forEach(addControls);
  var sorter = section.querySelector(".comment-sort");
  if (sorter) {
    sorter.innerHTML = '<label for="comment-order">Sort comments</label> <select id="comment-order">' +
      '<option value="old">Oldest first</option><option value="new">Newest first</option><option value="top">Top</option></select>';
    sorter.lastChild.addEventListener("change", function () { order = this.value; sort(); });
  }
  if (form) {
    replying = document.createElement("p");
    replying.className = "comment-replying";
    replying.hidden = true;
    replying.append(document.createTextNode(""), button("Cancel reply", "cancel"));
    form.querySelector("h3").after(replying);
    form.querySelector(".comment-submit").prepend(button("Preview", "preview"), " ");
    /* "N comments" beside a reference: the form, about that source. */
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-ref]"), about = form.elements.about_reference;
      if (!link || !about) return;
      event.preventDefault();
      if (form.elements.parent.value) endReply();
      about.value = link.dataset.ref;
      about.focus();
    });
  }

  call("GET", thread + "?since=" + (Number(section.dataset.lastId) || 0)).then(function (result) {
    if (result.status !== 200) return;
    fresh = result.data.comments;
    if (fresh.length) {
      news.textContent = plural(fresh.length, "new comment") + " since this page was published ";
      news.appendChild(button("Show", "show"));
    }
    var token = result.headers.get("X-Form-Token");
    if (form && token) form.elements.form_token.value = token;
  });
})();
