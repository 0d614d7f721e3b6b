/* The article form: live preview (rendered by the server's own renderer), slug from the
   title, tag autocomplete, and summary rows that keep the order they are put in. */
"use strict";
{
    const csrfToken = () => document.querySelector("[name=csrfmiddlewaretoken]")?.value ?? "";

    /* The preview: the whole form, as it stands, sent to the server, which answers with
       the public article page (its template and styles, the body rendered by the public
       renderer), shown in a frame that runs no script. */
    function livePreview(textarea) {
        const frame = document.getElementById(`${textarea.id}_preview`);
        const note = document.getElementById(`${textarea.id}_preview_error`);
        const form = textarea.form;
        let timer = null;
        let sent = 0;
        async function refresh() {
            const ticket = ++sent;
            const response = await fetch(textarea.dataset.previewUrl, {
                method: "POST",
                headers: {"X-CSRFToken": csrfToken()},
                body: new FormData(form),
                credentials: "same-origin",
            });
            const answer = await response.json().catch(() => ({}));
            if (ticket !== sent) {
                return;
            }
            if (typeof answer.page === "string") {
                // Where the editor had scrolled to, kept across the new document.
                const scrolled = frame.contentWindow?.scrollY ?? 0;
                frame.addEventListener("load", () => frame.contentWindow.scrollTo(0, scrolled), {once: true});
                frame.srcdoc = answer.page;
                note.hidden = true;
                return;
            }
            // A body too big, too deep or too slow to render, or too many previews: say so.
            note.textContent = answer.error ?? `${response.status} ${response.statusText}`;
            note.hidden = false;
        }
        const later = () => {
            clearTimeout(timer);
            timer = setTimeout(refresh, 250);
        };
        for (const type of ["input", "change", "formset:added", "formset:removed", "folio:moved"]) {
            form.addEventListener(type, later);
        }
        window.django?.jQuery?.(form).on("change", later);  // Select2 tells jQuery only
        refresh();
    }

    function slugFromTitle(title, slug) {
        let touched = slug.value !== "";
        slug.addEventListener("input", () => { touched = slug.value !== ""; });
        let timer = null;
        title.addEventListener("input", () => {
            if (touched) {
                return;
            }
            clearTimeout(timer);
            timer = setTimeout(async () => {
                const url = `${slug.dataset.slugUrl}?title=${encodeURIComponent(title.value)}`;
                const response = await fetch(url, {credentials: "same-origin"});
                if (response.ok && !touched) {
                    slug.value = (await response.json()).slug;
                }
            }, 250);
        });
    }

    function tagChips(select) {
        const $ = window.django && window.django.jQuery;
        if (!$ || !$.fn.select2) {
            return;
        }
        $(select).select2({
            tags: true,
            tokenSeparators: [",", "，", "、"],
            width: "100%",
            ajax: {url: select.dataset.tagsUrl, dataType: "json", delay: 200},
        });
        // Select2 draws its own typing box, again after each change: name it as the field.
        const label = document.querySelector(`label[for="${select.id}"]`);
        const name = () => {
            const box = select.parentElement.querySelector(".select2-search__field");
            if (box && label) {
                box.setAttribute("aria-label", label.textContent.replace(/[:：]\s*$/, ""));
            }
        };
        $(select).on("change select2:open select2:close", name);
        name();
    }

    /* Summary rows: up and down buttons, and positions taken from the order on screen
       when the form is sent. */
    function orderedRows(group) {
        const rows = () => [...group.querySelectorAll("tr.form-row:not(.empty-form)")];
        const addButtons = (row) => {
            if (row.querySelector(".folio-move")) {
                return;
            }
            const cell = row.querySelector("td.field-position") ?? row.lastElementChild;
            for (const [step, label] of [[-1, "↑"], [1, "↓"]]) {
                const button = document.createElement("button");
                button.type = "button";
                button.className = "folio-move";
                button.textContent = label;
                const words = document.querySelector(".folio-editor")?.dataset ?? {};
                button.setAttribute("aria-label", (step < 0 ? words.moveUp : words.moveDown) ?? label);
                button.addEventListener("click", () => {
                    const all = rows();
                    const other = all[all.indexOf(row) + step];
                    if (other) {
                        step < 0 ? other.before(row) : other.after(row);
                        button.focus();
                        number();
                        row.dispatchEvent(new Event("folio:moved", {bubbles: true}));
                    }
                });
                cell.append(button);
            }
        };
        // Positions from the order on screen, for the preview and when the form is sent.
        const number = () => {
            rows().forEach((row, index) => {
                const position = row.querySelector("input[name$='-position']");
                if (position) {
                    position.value = index;
                }
            });
        };
        rows().forEach(addButtons);
        document.addEventListener("formset:added", (event) => {
            if (group.contains(event.target)) {
                addButtons(event.target);
                number();
            }
        });
        group.closest("form").addEventListener("submit", number);
    }

    window.addEventListener("load", () => {
        document.querySelectorAll("textarea[data-preview-url]").forEach(livePreview);
        const slug = document.querySelector("input[data-slug-url]");
        const title = document.getElementById("id_title");
        if (slug && title) {
            slugFromTitle(title, slug);
        }
        document.querySelectorAll("select.folio-tags").forEach(tagChips);
        document.querySelectorAll(".inline-group .folio-ordered, .inline-group.folio-ordered")
            .forEach(orderedRows);
    });
}

/* --- The other front matter: rows of a key and a value (articles/other_keys.py) -------------
   Without this the form has the keys there are and three empty rows; with it, a button
   adds a row and each row has one to remove it. Boxes are named by their row's number. */
{
    function keyRows(group) {
        const rows = () => [...group.querySelectorAll(".folio-keys-row")];
        const renumber = () => rows().forEach((row, index) => {
            row.querySelectorAll("[aria-label]").forEach((box) => {
                const label = box.getAttribute("aria-label").replace(/\d+/, String(index + 1));
                box.setAttribute("aria-label", label);
            });
        });
        const arm = (row) => {
            const remove = row.querySelector(".folio-keys-remove");
            remove.hidden = false;
            remove.addEventListener("click", () => {
                const all = rows();
                const at = all.indexOf(row);
                const next = all[at + 1] ?? all[at - 1];
                if (next) {
                    row.remove();
                    renumber();
                    next.querySelector("input").focus();
                } else {  // the last row left: emptied, as an empty row says nothing
                    row.querySelectorAll("input, textarea").forEach((box) => { box.value = ""; });
                    row.querySelector("input").focus();
                }
            });
        };
        rows().forEach(arm);
        const add = group.querySelector(".folio-keys-add");
        add.hidden = false;
        add.addEventListener("click", () => {
            const all = rows();
            const row = all[all.length - 1].cloneNode(true);
            row.querySelectorAll("input, textarea").forEach((box) => { box.value = ""; });
            add.before(row);
            renumber();
            arm(row);
            row.querySelector("input").focus();
        });
    }

    window.addEventListener("load", () => {
        document.querySelectorAll(".folio-keys").forEach(keyRows);
    });
}
/* --- end of the other front matter ------------------------------------------------------ */
