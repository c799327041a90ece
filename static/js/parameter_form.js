// Policy parameter form: choosing a parameter code fills in its unit and comparator
// (definitions in the json_script element "parameter-definitions").
(function () {
  "use strict";
  var source = document.getElementById("parameter-definitions");
  var code = document.getElementById("id_code");
  if (!source || !code) { return; }
  var definitions = JSON.parse(source.textContent);
  code.addEventListener("change", function () {
    var d = definitions[code.value];
    if (!d) { return; }
    document.getElementById("id_unit").value = d.unit;
    document.getElementById("id_comparator").value = d.comparator;
    if (!d.has_value) { document.getElementById("id_value").value = ""; }
  });
})();
