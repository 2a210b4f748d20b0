// Behaviour shared by every page. Kept in a static file so that a strict
// Content-Security-Policy (script-src 'self') holds.
"use strict";
