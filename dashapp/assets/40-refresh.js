// "Show the new data": reload the page (same URL, so the same view) to draw it from the new warehouse.
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    refresh: {
        reload: function (clicks) {
            if (clicks) { window.location.reload(); }
            return window.dash_clientside.no_update;
        }
    }
});
