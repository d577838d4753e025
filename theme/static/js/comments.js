/* Comments widget: upgrades the baked comments section in place. Vanilla JS, no build step.
 *
 * - One GET per page view, ?since=<baked last id>: appends the comments posted after the build
 *   (below the baked ones, so nothing above them moves) and takes the fresh form token from the
 *   X-Form-Token header.
 * - The form posts as JSON with exactly its own fields (same names and checks as the no-JS post);
 *   field errors appear next to their fields. "Reply" moves the form under a comment.
 * - Edit and Delete appear on the reader's own comments while the edit window lasts, using the
 *   edit token (and the text as typed) kept in localStorage.
 * Without this script the form posts as plain HTML and the service sends the reader back here.
 */
(function () {
  "use strict";
  var section = document.getElementById("comments");
  var template = document.getElementById("comment-template");
  if (!section || !template || !window.fetch) return;
  var form = document.getElementById("comment-form");
  var list = section.querySelector(".comment-list");
  var thread = "/threads/" + encodeURIComponent(section.dataset.thread) + "/comments";
  var STORE = "comments-edit";
  var replying;

  function call(method, path, body, editToken) {
    var headers = { Accept: "application/json" };
    if (body) headers["Content-Type"] = "application/json";
    if (editToken) headers.Authorization = "Bearer " + editToken;
    return fetch(section.dataset.api + path, {
      method: method, headers: headers, body: body && JSON.stringify(body), credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, headers: response.headers, data: data };
      });
    }, function () {
      return { status: 0, data: { error: { message: "The comments service cannot be reached. Please try again." } } };
    });
  }

  /* Edit tokens: {id: {token, until, text}}, expired ones dropped on every save. */
  function saved() {
    try { return JSON.parse(localStorage.getItem(STORE)) || {}; } catch (e) { return {}; }
  }
  function remember(id, entry) {
    var all = saved(), now = Date.now();
    if (entry) all[id] = entry; else delete all[id];
    Object.keys(all).forEach(function (key) { if (Date.parse(all[key].until) < now) delete all[key]; });
    try { localStorage.setItem(STORE, JSON.stringify(all)); } catch (e) { /* private mode */ }
  }
  function editable(id) {
    var entry = saved()[id];
    return entry && Date.parse(entry.until) > Date.now() ? entry : null;
  }

  function say(target, message) {
    target.querySelector(".comment-status").textContent = message || "";
  }

  function button(label, action) {
    var node = document.createElement("button");
    node.type = "button";
    node.className = "comment-button";
    node.dataset.action = action;
    node.textContent = label;
    return node;
  }

  /* Only while the thread is open (the form is there): closed threads refuse replies and edits. */
  function addControls(article) {
    var meta = article.querySelector(".comment-meta");
    if (!form) return;
    if (!article.querySelector(".comment-deleted")) meta.appendChild(button("Reply", "reply"));
    if (editable(article.dataset.id)) {
      meta.appendChild(button("Edit", "edit"));
      meta.appendChild(button("Delete", "delete"));
    }
  }

  function dateText(iso) {
    return new Date(iso).toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  }

  /* A comment from the API as the partial renders it (the markup comes from #comment-template). */
  function render(comment) {
    var item = template.content.firstElementChild.cloneNode(true);
    var article = item.querySelector("article");
    var author = article.querySelector(".comment-author");
    var time = article.querySelector("time");
    article.id = "comment-" + comment.id;
    article.dataset.id = comment.id;
    article.querySelector(".u-url").setAttribute("href", "#" + article.id);
    time.dateTime = comment.created;
    time.textContent = dateText(comment.created);
    author.textContent = comment.author;
    if (/^https?:\/\//i.test(comment.website || "")) {
      var link = document.createElement("a");
      link.href = comment.website;
      link.rel = "nofollow ugc noopener";
      link.textContent = comment.author;
      author.replaceChildren(link);
    }
    /* `html` is sanitised by the service (nh3 allow-list) before it is stored. */
    article.querySelector(".comment-body").innerHTML = comment.html || '<p class="comment-deleted">This comment was deleted.</p>';
    addControls(article);
    return item;
  }

  function insert(comment) {
    if (document.getElementById("comment-" + comment.id)) return;
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
    section.appendChild(form);
  }

  function submit(event) {
    event.preventDefault();
    var data = {};
    new FormData(form).forEach(function (value, name) { data[name] = value; });
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
      if (data.parent) endReply();
      if (result.status === 202) return say(form, "Thank you, your comment is held for moderation. It appears here once a moderator approves it.");
      insert(comment);
      say(form, "Your comment is posted.");
      document.getElementById("comment-" + comment.id).focus();
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
        if (result.status !== 200 && result.status !== 202) return say(editor, (result.data.error || {}).message);
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

  function remove(article) {
    var entry = editable(article.dataset.id);
    if (form.parentNode === article.parentNode) endReply();
    call("DELETE", "/comments/" + article.dataset.id, null, entry && entry.token).then(function (result) {
      if (result.status !== 200) return say(form, (result.data.error || {}).message);
      remember(article.dataset.id, null);
      if (result.data.comment) article.replaceWith(render(result.data.comment).querySelector("article"));
      else article.parentNode.remove();
      say(form, "Your comment is deleted.");
    });
  }

  var actions = {
    reply: startReply, edit: edit, close: closeEditor, "delete": remove,
    cancel: function () { endReply(); form.elements.text.focus(); }
  };
  section.addEventListener("click", function (event) {
    var control = event.target.closest("button[data-action]");
    if (control) actions[control.dataset.action](control.closest("article"));
  });

  section.querySelectorAll("article.comment").forEach(addControls);
  if (form) {
    replying = document.createElement("p");
    replying.className = "comment-replying";
    replying.hidden = true;
    replying.append(document.createTextNode(""), button("Cancel reply", "cancel"));
    form.querySelector("h3").after(replying);
    form.addEventListener("submit", submit);
  }

  call("GET", thread + "?since=" + (Number(section.dataset.lastId) || 0)).then(function (result) {
    if (result.status !== 200) return;
    result.data.comments.forEach(insert);
    var token = result.headers.get("X-Form-Token");
    if (form && token) form.elements.form_token.value = token;
  });
})();
