/**
 * What iam offers the rest of the platform and the modules: authentication, the account commands
 * (each in commands/, writing through the caller's unit of work) and the queries about accounts.
 */
export { SESSION_IDLE_MS, SESSION_ABSOLUTE_MS, authenticateSession, authenticateBearer, type SessionLookup } from './authenticate.ts';
export { toUserView, accountFieldErrors, findTakenAccountKeys, getVisibleUser, listUsers, type UserView, type NewUserInput, type UserListFilter } from './accounts.ts';
export { accountsCoveringUnits, accountsHoldingRole, staffHoldingRole, contactOf, staffHoldsRole, displayNames, sealedPhones } from './holders.ts';
export { createApiToken, listApiTokens, revokeApiToken } from './commands/api-tokens.ts';
export { changePassword } from './commands/change-password.ts';
export { createStaffUser, insertStaffUser } from './commands/create-staff-user.ts';
export { MAX_FAILED_LOGINS, LOCK_MS, login, type LoginInput, type LoginResult } from './commands/login.ts';
export { registerPublicUser, type RegisterInput } from './commands/register-public-user.ts';
export { resetPassword } from './commands/reset-password.ts';
export { logout, listSessions, endSession } from './commands/sessions.ts';
export { setUserDisabled } from './commands/set-user-disabled.ts';
export { setUserRoles, grantRolesBySystem, type RoleInput } from './commands/set-user-roles.ts';
export { beginTotpEnrollment, confirmTotpEnrollment, enableTotpWithSecret } from './commands/totp-enrollment.ts';
export { updateUser, type UserPatch } from './commands/update-user.ts';
