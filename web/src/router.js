import { createRouter, createWebHistory } from 'vue-router';
import { session, whoami } from './api.js';

const page = (loader, roles) => ({ component: loader, meta: { roles } });

const routes = [
  { path: '/login', component: () => import('./views/Login.vue'), meta: { public: true } },
  { path: '/', component: () => import('./views/Home.vue') },
  { path: '/desk', ...page(() => import('./views/Desk.vue'), ['operator', 'manager']) },
  { path: '/record', ...page(() => import('./views/Record.vue'), ['operator']) },
  { path: '/callbacks', ...page(() => import('./views/Callbacks.vue'), ['operator']) },
  { path: '/queue', ...page(() => import('./views/Queue.vue'), ['staff', 'operator', 'manager']) },
  { path: '/tickets/:id', ...page(() => import('./views/Ticket.vue'), ['staff', 'operator', 'manager']) },
  { path: '/knowledge', ...page(() => import('./views/Knowledge.vue'), ['staff', 'operator', 'manager']) },
  { path: '/dashboard', ...page(() => import('./views/Dashboard.vue'), ['manager']) },
  { path: '/overdue', ...page(() => import('./views/Overdue.vue'), ['manager']) },
  { path: '/approvals', ...page(() => import('./views/Approvals.vue'), ['manager']) },
  { path: '/failures', ...page(() => import('./views/Failures.vue'), ['manager']) },
  { path: '/stats', ...page(() => import('./views/Stats.vue'), ['manager']) },
  { path: '/admin/users', ...page(() => import('./views/AdminUsers.vue'), ['admin']) },
  { path: '/admin/departments', ...page(() => import('./views/AdminDocument.vue'), ['admin']), props: { name: 'departments' } },
  { path: '/admin/rules', ...page(() => import('./views/AdminRules.vue'), ['admin']) },
  { path: '/admin/calendar', ...page(() => import('./views/AdminDocument.vue'), ['admin']), props: { name: 'calendar' } },
  { path: '/:rest(.*)*', component: () => import('./views/NotFound.vue') },
];

export const router = createRouter({ history: createWebHistory(), routes });

// Every page is deep-linkable: a page opened without a session goes to sign-in and comes back.
router.beforeEach(async (to) => {
  if (!session.checked) await whoami();
  if (to.meta.public) return true;
  if (!session.user) return { path: '/login', query: { next: to.fullPath } };
  return true;
});

export function homeFor(user) {
  const roles = user?.roles || [];
  if (roles.includes('operator')) return '/desk';
  if (roles.includes('staff')) return '/queue';
  if (roles.includes('manager')) return '/dashboard';
  if (roles.includes('admin')) return '/admin/users';
  return '/login';
}
