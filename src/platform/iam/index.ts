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
export { MAX_FAILED_LOGINS, login, loginWithSmsCode, loginWithTotp, type LoginInput, type LoginResult } from './commands/login.ts';
export { registerPublicUser, createPublicAccount, checkPublicAccount, type RegisterInput, type PublicAccountInput } from './commands/register-public-user.ts';
export { requestSmsCode, checkSmsCode, consumeSmsCode, normalizeMobile, SMS_PURPOSES, SMS_CODE_TTL_MS, SMS_CODE_MAX_TRIES, SMS_CODES_PER_DAY, type SmsPurpose } from './commands/sms-codes.ts';
export { resetPasswordBySms } from './commands/reset-password-by-sms.ts';
export { addAgent, listAgents, removeAgent } from './commands/agents.ts';
export { publicProfile, type PublicProfile } from './profile.ts';
export { resetPassword } from './commands/reset-password.ts';
export { logout, listSessions, endSession } from './commands/sessions.ts';
export { setUserDisabled } from './commands/set-user-disabled.ts';
export { setUserRoles, grantRolesBySystem, type RoleInput } from './commands/set-user-roles.ts';
export { beginTotpEnrollment, confirmTotpEnrollment, enableTotpWithSecret } from './commands/totp-enrollment.ts';
export { updateUser, type UserPatch } from './commands/update-user.ts';
export { findUserByUsername } from './queries.ts';
import type { Platform } from '../module.ts';
import { findUserByUsername as byUsername } from './queries.ts';
/** The account signing in under this name (any case), if any. */
export const findAccountByUsername = (platform: Platform, username: string) => byUsername(platform.db, username);
