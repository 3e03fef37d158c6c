/** The plans file (../../plans.json), validated once: a bad file fails the cold start loudly. */
import plansFile from '../../plans.json';
import type { PlanCatalogue } from '../domain/plans';
import { loadPlanCatalogue } from '../domain/plans';

let catalogue: PlanCatalogue | undefined;
export function planCatalogue(): PlanCatalogue {
  catalogue ??= loadPlanCatalogue(plansFile);
  return catalogue;
}
