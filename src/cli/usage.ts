/** Exit statuses of the command line. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Wrong use of the command line (a missing option, an unknown name): exit status 2. */
export class UsageError extends Error {}

/** A command that could not be done, for a reason the message explains: exit status 1. */
export class CommandError extends Error {}
