import type { Handlers } from '../router/router';
import type { EvalService } from './eval-service';

export function evalHandlers(service: EvalService): Pick<Handlers, 'eval.run' | 'eval.cancel'> {
  return {
    'eval.run': (input) => service.run(input),
    'eval.cancel': ({ evalId }) => ({ cancelled: service.cancel(evalId) }),
  };
}
