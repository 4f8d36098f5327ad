// Customer tab helpers (no CDN, no framework beyond what Dash already loads).
//
// 1. Customer ids in AG Grid tables as links to the Customer tab (cellRenderer: "CustomerLink"; used by the
//    segment explorer and the Retention tab's tables). The link keeps the current filters: it is the page's own
//    query string with tab=customer and customer=<id> (the same rule as customer_link() in dashapp/state.py).
//    A plain click stays in the app: the URL is pushed and dcc.Location told, as dcc.Link does, so the shell's
//    sync callback opens the tab; Ctrl/Cmd/middle click opens a new browser tab as with any link.
// 2. Typing in the customer search box. When a customer is selected, Dash's dropdown puts the keyboard focus on
//    the selected option as it opens, and letters typed there are lost; send them to the box's search field.
(function () {
  var funcs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

  function customerHref(id) {
    var params = new URLSearchParams(window.location.search);
    params.delete('tab');
    params.delete('customer');
    var rest = params.toString();
    return '?' + new URLSearchParams({tab: 'customer', customer: id}).toString() + (rest ? '&' + rest : '');
  }

  funcs.CustomerLink = function (props) {
    var id = props.value;
    if (id === null || id === undefined || id === '') {
      return null;
    }
    return React.createElement('a', {
      href: customerHref(String(id)),
      className: 'customer-link',
      title: 'Open ' + id + ' in the Customer tab',
      onClick: function (event) {
        if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
          return;
        }
        event.preventDefault();
        // built at click time: the filters may have changed since the row was drawn
        window.history.pushState({}, '', customerHref(String(id)));
        window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
        window.scrollTo(0, 0);
      },
    }, String(id));
  };

  document.addEventListener('keydown', function (event) {
    // printable characters only; Space still selects the focused option
    if (event.key.length !== 1 || event.key === ' ' || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var target = event.target;
    var picker = target && target.closest ? target.closest('#customer-picker') : null;
    if (!picker || (target.classList && target.classList.contains('dash-dropdown-search'))) {
      return;
    }
    var search = picker.querySelector('input.dash-dropdown-search');
    if (search) {
      search.focus();  // during keydown: the character is then typed into the search field
    }
  }, true);
})();
