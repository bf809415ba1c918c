// The signature pad of the complaint agreement: draw with a mouse, a pen or a finger on a
// <canvas>; on submit the drawing goes into the hidden field as a PNG data URL. Without
// JavaScript the page says that signing needs it (the paper agreement is the other way).
(function () {
  "use strict";
  function setUp(pad) {
    var canvas = pad.querySelector("canvas");
    var field = pad.querySelector("input[name=signature]");
    var clear = pad.querySelector("[data-clear]");
    var form = pad.closest("form");
    var context = canvas.getContext("2d");
    var drawing = false;
    var inked = false;
    pad.hidden = false;
    var fallback = document.querySelector("[data-signature-needs-js]");
    if (fallback) { fallback.hidden = true; }

    function resize() {
      var ratio = window.devicePixelRatio || 1;
      var width = canvas.clientWidth;
      var height = canvas.clientHeight;
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(height * ratio);
      context.setTransform(ratio, 0, 0, ratio, 0, 0);
      context.fillStyle = "#fff";
      context.fillRect(0, 0, width, height);
      context.lineWidth = 2.5;
      context.lineCap = "round";
      context.lineJoin = "round";
      context.strokeStyle = "#111";
      inked = false;
      field.value = "";
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }
    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      context.beginPath();
      context.moveTo(p.x, p.y);
      context.lineTo(p.x + 0.1, p.y + 0.1);
      context.stroke();
      inked = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
    });
    function stop() { drawing = false; }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);
    clear.addEventListener("click", function (event) { event.preventDefault(); resize(); });
    form.addEventListener("submit", function () {
      field.value = inked ? canvas.toDataURL("image/png") : "";
    });
    resize();
  }
  function start() {
    var pads = document.querySelectorAll("[data-signature-pad]");
    for (var i = 0; i < pads.length; i++) { setUp(pads[i]); }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
