import { createContext, use } from 'react';
import type { Me } from './api';

export const MeContext = createContext<Me | null>(null);

export function useMe(): Me {
  const me = use(MeContext);
  if (!me) throw new Error('useMe outside the signed-in app');
  return me;
}

export const oversees = (me: Me): boolean => me.user?.role === 'admin' || me.user?.role === 'manager';
export const isAdmin = (me: Me): boolean => me.user?.role === 'admin';
