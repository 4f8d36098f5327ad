// Keyboard access to the tab bar. dbc.Tabs (react-bootstrap) gives every tab link tabindex="-1" when the
// tabs' content is rendered elsewhere (our tab-content callback), so Tab skips the whole bar
// (dash-bootstrap-components issue #891). Put each tab link back in the Tab order; Enter then clicks it.
(function () {
  function fix() {
    document.querySelectorAll('#tabs .nav-link[tabindex="-1"]').forEach(function (link) {
      link.setAttribute('tabindex', '0');
    });
  }
  new MutationObserver(fix).observe(document.documentElement,
    {subtree: true, childList: true, attributes: true, attributeFilter: ['tabindex']});
})();
