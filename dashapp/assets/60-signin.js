// Customer Insight: a page whose session has ended (idle too long, signed out in another tab, account disabled)
// gets 401 answers to its callbacks. Rather than a page that silently stops updating, go to the sign-in page, and
// back to this view after signing in. With sign-in off (the demo) no answer is ever a 401.
(function () {
  var original = window.fetch;
  if (!original) { return; }
  var leaving = false;
  window.fetch = function (resource, init) {
    return original.call(this, resource, init).then(function (response) {
      var url = String((resource && resource.url) || resource);
      if (response.status === 401 && !leaving && url.indexOf('_dash-') !== -1) {
        leaving = true;
        window.location.assign('/login?next=' + encodeURIComponent(window.location.pathname + window.location.search));
      }
      return response;
    });
  };
}());
