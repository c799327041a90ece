// Household form: "add member" clones the empty member form (template "member-template") and numbers the cards.
(function () {
  "use strict";
  var total = document.getElementById("id_members-TOTAL_FORMS");
  var container = document.getElementById("member-forms");
  var template = document.getElementById("member-template");
  var add = document.getElementById("add-member");
  if (!total || !container || !template || !add) { return; }
  function renumber() {
    container.querySelectorAll(".member-card").forEach(function (card, i) { card.querySelector(".member-no").textContent = i + 1; });
  }
  add.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, index);
    var wrapper = document.createElement("div");
    wrapper.innerHTML = html.trim();
    var card = wrapper.firstChild;
    container.appendChild(card);
    total.value = index + 1;
    renumber();
    var first = card.querySelector("input[type=text]");
    if (first) { first.focus(); }
  });
  renumber();
})();
