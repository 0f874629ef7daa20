#pragma once
// Ctrl-C / SIGTERM during training: the first signal asks the loop to stop after the current
// step (and save); a second one exits at once.
namespace wisenet {

// Installs the handlers for SIGINT and SIGTERM (idempotent).
void install_stop_handlers();
// Whether a stop was requested since the last reset.
bool stop_requested();
void reset_stop_request();
// Asks for a stop, as a signal would (for tests and for the time budget).
void request_stop();

}  // namespace wisenet
