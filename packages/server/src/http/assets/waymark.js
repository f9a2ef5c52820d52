/*
 * waymark.js — the browser side of Waymark's website personalisation, served at `/waymark.js`.
 * Hand-written, no build step, no dependencies. A site adds one tag:
 *
 *   <script src="https://waymark.example.com/waymark.js" data-write-key="wk_…" async></script>
 *
 * and gets:
 * - a page view sent on load (Segment `page` call; `category` from <meta name="waymark:category">),
 *   unless the tag says data-auto-page="false";
 * - window.waymark.page(properties), .track(event, properties), .identify(userId, traits):
 *   Segment-format calls to this server's /v1/* API, as the visitor's anonymousId (kept in
 *   localStorage, else a cookie) and userId once identified;
 * - window.waymark.personalize(): a Promise of { profile, interests, lists, flags }
 *   (GET /v1/personalize), refreshed shortly after each call the page sends, since the server
 *   applies events a moment after it accepts them;
 * - elements with data-waymark-show-if="flag:offer_live_chat" (or interest:shoes, list:vip;
 *   a leading ! negates) are shown or hidden by each answer; a `waymark:personalized` event is
 *   dispatched on document with the answer as its detail.
 */
/* global window, document, localStorage, navigator, crypto, btoa, CustomEvent */
(function () {
  'use strict';
  var script = document.currentScript;
  if (!script || window.waymark) return;
  var host = new URL(script.src, document.baseURI).origin;
  var writeKey = script.getAttribute('data-write-key') || '';
  var refreshAfter = (script.getAttribute('data-refresh') || '300,1200')
    .split(',')
    .map(Number)
    .filter(function (n) {
      return n >= 0;
    });
  var auth = 'Basic ' + btoa(writeKey + ':');
  var AID = 'waymark_aid';
  var UID = 'waymark_uid';

  function newId() {
    if (crypto && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + '-' + String(Math.random()).slice(2);
  }

  // localStorage when the browser allows it, else a first-party cookie (one year).
  function load(name) {
    try {
      var v = localStorage.getItem(name);
      if (v) return v;
    } catch {
      /* storage blocked: use the cookie */
    }
    var m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function save(name, value) {
    try {
      localStorage.setItem(name, value);
    } catch {
      /* storage blocked: the cookie below keeps it */
    }
    document.cookie =
      name + '=' + encodeURIComponent(value) + '; path=/; max-age=31536000; SameSite=Lax';
  }

  var anonymousId = load(AID);
  if (!anonymousId) {
    anonymousId = newId();
    save(AID, anonymousId);
  }
  var userId = load(UID);

  function who() {
    return userId ? { userId: userId, anonymousId: anonymousId } : { anonymousId: anonymousId };
  }

  function context() {
    return {
      library: { name: 'waymark.js', version: '1' },
      page: {
        path: window.location.pathname,
        url: window.location.href,
        title: document.title,
        referrer: document.referrer,
      },
      userAgent: navigator.userAgent,
    };
  }

  // Sends one Segment call; resolves when the server accepted it (keepalive: survives navigation).
  function send(type, call) {
    var now = new Date().toISOString();
    var body = Object.assign({ messageId: newId(), timestamp: now, sentAt: now }, who(), call, {
      context: context(),
    });
    var sent = window
      .fetch(host + '/v1/' + type, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: JSON.stringify(body),
        keepalive: true,
      })
      .then(function (res) {
        if (!res.ok) throw new Error('waymark: /v1/' + type + ' answered ' + res.status);
      });
    sent.then(scheduleRefresh, function (err) {
      if (window.console) window.console.warn(err);
    });
    return sent;
  }

  var last = null;
  var pending = null;

  function personalize() {
    var who_ = who();
    var query = who_.userId
      ? 'userId=' + encodeURIComponent(who_.userId)
      : 'anonymousId=' + encodeURIComponent(who_.anonymousId);
    pending = window
      .fetch(host + '/v1/personalize?' + query, { headers: { authorization: auth } })
      .then(function (res) {
        if (!res.ok) throw new Error('waymark: /v1/personalize answered ' + res.status);
        return res.json();
      })
      .then(function (result) {
        last = result;
        apply(result);
        document.dispatchEvent(new CustomEvent('waymark:personalized', { detail: result }));
        return result;
      });
    return pending;
  }

  var timers = [];
  function scheduleRefresh() {
    timers.forEach(window.clearTimeout);
    timers = refreshAfter.map(function (ms) {
      return window.setTimeout(function () {
        personalize().catch(function () {});
      }, ms);
    });
  }

  // "flag:name", "interest:name", "list:id", optionally negated with a leading "!".
  function holds(result, rule) {
    var negate = rule.charAt(0) === '!';
    var parts = (negate ? rule.slice(1) : rule).split(':');
    var kind = parts[0];
    var name = parts.slice(1).join(':');
    var yes = false;
    if (kind === 'flag') {
      var v = result.flags[name];
      yes = v !== undefined && v !== false && v !== 0 && v !== '';
    } else if (kind === 'interest') {
      yes = result.interests.some(function (i) {
        return i.name === name;
      });
    } else if (kind === 'list') {
      yes = result.lists.indexOf(name) !== -1;
    }
    return negate ? !yes : yes;
  }

  function apply(result) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', function () {
        apply(result);
      });
      return;
    }
    var nodes = document.querySelectorAll('[data-waymark-show-if]');
    for (var i = 0; i < nodes.length; i += 1) {
      nodes[i].hidden = !holds(result, nodes[i].getAttribute('data-waymark-show-if'));
    }
  }

  window.waymark = {
    anonymousId: function () {
      return anonymousId;
    },
    page: function (properties) {
      var meta = document.querySelector('meta[name="waymark:category"]');
      var props = Object.assign({}, properties || {});
      if (meta && props.category === undefined) props.category = meta.getAttribute('content');
      return send('page', { name: document.title, properties: props });
    },
    track: function (event, properties) {
      return send('track', { event: event, properties: properties || {} });
    },
    identify: function (id, traits) {
      userId = String(id);
      save(UID, userId);
      return send('identify', { traits: traits || {} });
    },
    /** The latest answer (a Promise), fetching one when none was asked for yet. */
    personalize: function () {
      return pending || personalize();
    },
    /** Asks the server again now. */
    refresh: personalize,
    /** The latest answer, or null. */
    result: function () {
      return last;
    },
  };

  personalize().catch(function (err) {
    if (window.console) window.console.warn(err);
  });
  if (script.getAttribute('data-auto-page') !== 'false') window.waymark.page();
})();
