// One chart per task: the browser stays responsive while a page draws its charts.
//
// Every dcc.Graph of a page mounts in one React commit and calls Plotly.react at once, so a
// page with six charts drew them all in one main-thread task (250-430 ms on a 2-core machine:
// no input, no paint, until the last one). Here each call waits for its own task, in the order
// made, and a chart whose element has left the page meanwhile is not drawn. The promise
// dcc.Graph receives still resolves when its own chart is drawn.
(function () {
  const Plotly = window.Plotly;
  if (!Plotly || Plotly.__onePerTask) return;
  const react = Plotly.react.bind(Plotly);
  let queue = Promise.resolve();

  function nextTask() {
    if (window.scheduler && typeof window.scheduler.yield === "function") {
      return window.scheduler.yield();
    }
    return new Promise(function (resolve) {
      setTimeout(resolve, 0);
    });
  }

  Plotly.react = function (gd) {
    const args = arguments;
    const drawn = queue.then(nextTask).then(function () {
      const el = typeof gd === "string" ? document.getElementById(gd) : gd;
      if (!el || !el.isConnected) return el;
      return react.apply(null, args);
    });
    // A failed chart does not stop the ones after it; dcc.Graph still sees its failure.
    queue = drawn.catch(function () {});
    return drawn;
  };
  Plotly.__onePerTask = true;
})();
