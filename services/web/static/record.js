// Record a dialogue: the sum of the focus areas' weights, live as they are typed.
// Optional: the server shows the sum too, whenever the form comes back.
(function () {
  "use strict";
  var total = document.getElementById("weight-total");
  var weights = document.querySelectorAll("input[data-weight]");
  if (!total || !weights.length) { return; }
  function update() {
    var sum = 0;
    for (var i = 0; i < weights.length; i += 1) {
      var value = weights[i].value.trim();
      if (!/^\d{1,3}$/.test(value)) { total.textContent = "–"; return; }
      sum += parseInt(value, 10);
    }
    total.textContent = String(sum);
  }
  for (var i = 0; i < weights.length; i += 1) {
    weights[i].addEventListener("input", update);
  }
})();
