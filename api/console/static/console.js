// What every page shares: nothing runs inline (the CSP allows scripts of this site only).
// htmx sends the form token header set on <body>; areas add their own scripts.
"use strict";
document.addEventListener("htmx:responseError", (event) => {
  // A refused htmx request shows the server's message where the request said, else on top.
  const target = event.detail.target;
  if (target && event.detail.xhr.responseText) target.innerHTML = event.detail.xhr.responseText;
});
